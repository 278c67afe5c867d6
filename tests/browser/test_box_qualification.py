"""The qualification round of a box job in a real browser: each gold image is answered by drawing,
the feedback is the answer's IoU score with the gold boxes drawn after answering, and a pass admits
the labeler's wallet on chain and starts the labeling."""

import re

import pytest
from playwright.sync_api import expect

from apps.chain.registry import job_instance
from apps.labeling.models import Qualification
from tests.browser.conftest import BOX_IMAGE, box_surface, open_labeling_page

pytestmark = pytest.mark.browser

GOLD = {
    0: [{"class": 0, "x": 120, "y": 90, "w": 480, "h": 360}],
    1: [{"class": 1, "x": 600, "y": 450, "w": 300, "h": 300}],
}


def draw_image_box(page, box: dict) -> None:
    """Drag out `box` (image pixels) on the shown image; the page shows it at another size."""
    rect = box_surface(page)
    scale = rect["width"] / BOX_IMAGE[0]
    page.mouse.move(rect["x"] + box["x"] * scale, rect["y"] + box["y"] * scale)
    page.mouse.down()
    page.mouse.move(rect["x"] + (box["x"] + box["w"]) * scale, rect["y"] + (box["y"] + box["h"]) * scale, steps=4)
    page.mouse.up()


def test_boxes_qualification_with_iou_feedback(make_box_job, wallet_page, dev_accounts, w3):
    job = make_box_job(items=4, gold=GOLD, qualification_bar=0.5)
    labeler = wallet_page(dev_accounts[6])
    page = open_labeling_page(labeler, job)
    phase, feedback = page.locator("[data-phase]"), page.locator("[data-feedback]")

    view, shown = page.locator("[data-item-view]"), None
    for n in (1, 2):
        expect(phase).to_contain_text(f"Qualification: item {n} of 2. Draw a box around every object")
        expect(page.locator("[data-box-gold]")).to_have_count(0)  # no answer shown before answering
        # The phase line can change a moment before the next image is in place: wait for the image.
        expect(view).to_have_attribute("data-item", re.compile(r"\d+"))
        if shown is not None:
            expect(view).not_to_have_attribute("data-item", str(shown))
        item_id = shown = int(view.get_attribute("data-item"))
        index = job.items.get(pk=item_id).index
        (gold,) = GOLD[index]
        page.keyboard.press(str(gold["class"] + 1))
        # The first answer is 60% as wide as the gold box (IoU 0.6); the second matches it (to the
        # mouse's precision on an image shown at 640 of its 1200 pixels).
        draw_image_box(page, {**gold, "w": gold["w"] * 0.6} if n == 1 else gold)
        page.keyboard.press("Enter")
        iou = r"0\.(59|60|61)" if n == 1 else r"(0\.99|1\.00)"
        expect(feedback).to_contain_text(re.compile(f"mean IoU of {iou}, at or above the bar of 0.50"))
        expect(page.locator("[data-box-gold]")).to_have_count(1)  # the gold box, now it is answered

    expect(phase).to_have_text("Draw the boxes on this image, then press Enter.", timeout=15_000)
    qualification = Qualification.objects.get(job=job)
    assert qualification.passed and qualification.admitted
    index, _, _ = job_instance(job.instance_address, w3=w3).functions.workerInfo(labeler.address).call()
    assert index > 0
