"""A labeler's boxes from the labeling page to the chain: stored pending with the coordinates drawn,
confirmed once the indexer has seen the box vote with a matching commitment; an answer the wallet or
the server refuses stays on the page, nothing lost, and goes through once the cause is gone."""

import pytest
from playwright.sync_api import expect

from apps.boxes.models import BoxAnnotation
from apps.labeling.models import Label, Qualification
from tests.browser.conftest import box_surface, run_the_worker

pytestmark = pytest.mark.browser


def draw(page, a: tuple[float, float], b: tuple[float, float]) -> None:
    """Drag from a to b, in fractions of the shown image."""
    rect = box_surface(page)
    at = lambda fx, fy: (rect["x"] + fx * rect["width"], rect["y"] + fy * rect["height"])  # noqa: E731
    page.mouse.move(*at(*a))
    page.mouse.down()
    page.mouse.move(*at(*b), steps=4)
    page.mouse.up()


def test_boxes_are_stored_and_confirmed(box_job_page, w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    page = box_job_page.page
    item_id = int(page.locator("[data-item-view]").get_attribute("data-item"))
    page.keyboard.press("2")  # person
    draw(page, (0.25, 0.5), (0.5, 1.2))  # dragged past the bottom edge: the box stops at the image's edge
    page.get_by_role("button", name="Submit boxes").click()

    row = page.locator("[data-batches] li")
    expect(row).to_contain_text("item 0, 1 box · pending")  # stored; the batch worker relays it
    expect(page.locator("[data-item-view]")).not_to_have_attribute("data-item", str(item_id))
    expect(page.locator("[data-box-list] li")).to_have_count(0)  # the next image starts empty
    annotation = BoxAnnotation.objects.get(item_id=item_id)
    ((box),) = annotation.boxes
    assert box["class"] == 1
    assert box["x"] == pytest.approx(300, abs=2) and box["w"] == pytest.approx(300, abs=2)
    assert box["y"] == pytest.approx(450, abs=2) and box["y"] + box["h"] == 900  # clamped to the image

    run_the_worker(w3)
    expect(row).to_contain_text("confirmed", timeout=10_000)
    annotation.refresh_from_db()
    assert annotation.verified is True
    assert annotation.label.status == Label.Status.CONFIRMED


def test_boxes_that_do_not_match_the_chain_are_shown_rejected(box_job_page, w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    page = box_job_page.page
    item_id = int(page.locator("[data-item-view]").get_attribute("data-item"))
    draw(page, (0.1, 0.1), (0.4, 0.4))
    page.keyboard.press("Enter")
    row = page.locator("[data-batches] li")
    expect(row).to_contain_text("pending")
    annotation = BoxAnnotation.objects.get(item_id=item_id)
    moved = [{**box, "x": box["x"] + 1} for box in annotation.boxes]  # changed after the labeler signed
    BoxAnnotation.objects.filter(pk=annotation.pk).update(boxes=moved)

    run_the_worker(w3)
    expect(row).to_contain_text("rejected", timeout=10_000)
    annotation.refresh_from_db()
    assert annotation.verified is False


def test_a_refused_answer_is_kept_and_can_be_sent_again(box_job_page):
    page, labeler = box_job_page.page, box_job_page.labeler
    item_id = page.locator("[data-item-view]").get_attribute("data-item")
    draw(page, (0.1, 0.1), (0.3, 0.3))
    draw(page, (0.5, 0.5), (0.7, 0.9))
    shown = page.locator("[data-box-list] li").all_inner_texts()

    def refused(reason: str) -> None:
        page.keyboard.press("Enter")
        expect(page.locator("[data-error]")).to_contain_text(reason)
        expect(page.locator("[data-item-view]")).to_have_attribute("data-item", item_id)
        assert page.locator("[data-box-list] li").all_inner_texts() == shown
        assert not BoxAnnotation.objects.exists()

    labeler.rejects.add("eth_signTypedData_v4")  # the labeler clicks Reject in the wallet
    refused("You rejected the request in your wallet.")
    labeler.rejects.clear()
    qualification = Qualification.objects.get()
    Qualification.objects.filter(pk=qualification.pk).update(passed=None)  # as if paused: not admitted
    refused("You are not admitted to this job")
    Qualification.objects.filter(pk=qualification.pk).update(passed=True)

    page.keyboard.press("Enter")
    expect(page.locator("[data-item-view]")).not_to_have_attribute("data-item", item_id)
    expect(page.locator("[data-error]")).to_be_hidden()
    assert len(BoxAnnotation.objects.get(item_id=int(item_id)).boxes) == 2
