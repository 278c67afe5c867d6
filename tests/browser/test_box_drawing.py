"""Drawing bounding boxes on the labeling page in a real browser, with the mouse and the keyboard: the
boxes posted are in the image's own pixels although the page shows the image at another size."""

import json

import pytest
from playwright.sync_api import expect

from apps.boxes.models import BoxAnnotation
from tests.browser.conftest import box_surface

pytestmark = pytest.mark.browser


class Screen:
    """Screen points on the drawing surface (integers, as a mouse gives them) and the image pixels the
    page must turn them into."""

    def __init__(self, page, natural: tuple[int, int]):
        self.page = page
        self.rect = box_surface(page)
        image = page.locator("[data-item-view] img").bounding_box()
        assert image == self.rect, "the overlay covers exactly the image"
        self.scale = natural[0] / self.rect["width"]
        self.left, self.top = round(self.rect["x"]) + 1, round(self.rect["y"]) + 1

    def at(self, x: int, y: int) -> tuple[int, int]:
        return self.left + x, self.top + y

    def image(self, x: int, y: int) -> tuple[float, float]:
        sx, sy = self.at(x, y)
        return (sx - self.rect["x"]) * self.scale, (sy - self.rect["y"]) * self.scale

    def box(self, cls: int, a: tuple[int, int], b: tuple[int, int]) -> dict:
        (x1, y1), (x2, y2) = self.image(*a), self.image(*b)
        return {"class": cls, "x": x1, "y": y1, "w": x2 - x1, "h": y2 - y1}

    def drag(self, a: tuple[float, float], b: tuple[float, float]) -> None:
        mouse = self.page.mouse
        mouse.move(*a)
        mouse.down()
        mouse.move(*b, steps=5)
        mouse.up()


def count(page, n: int) -> None:
    expect(page.locator("[data-box-surface]")).to_have_attribute("data-count", str(n))


def assert_boxes(posted: list[dict], expected: list[dict]) -> None:
    assert [b["class"] for b in posted] == [b["class"] for b in expected]
    for got, want in zip(posted, expected):
        for key in "xywh":  # the page keeps 1/100 pixel
            assert got[key] == pytest.approx(want[key], abs=0.011), (key, got, want)


def test_keyboard_only(box_job_page):
    """N draws, arrows move, Alt+arrows resize, Tab and Delete pick and remove, Enter submits."""
    page = box_job_page.page
    width, height = box_job_page.natural
    page.locator("[data-box-surface]").focus()
    page.keyboard.press("2")  # person
    page.keyboard.press("n")
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Alt+ArrowRight")
    page.keyboard.press("Alt+Shift+ArrowDown")
    page.keyboard.press("1")  # the selected box becomes a car
    page.keyboard.press("Escape")
    page.keyboard.press("n")  # a second car, removed again
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")  # from the last box backwards
    expect(page.locator("[data-box-surface]")).to_have_attribute("data-selected", "1")
    page.keyboard.press("Delete")
    count(page, 1)
    # Tab past the last box lets the focus leave the drawing surface: the keyboard is never trapped.
    surface = page.locator("[data-box-surface]")
    surface.focus()
    page.keyboard.press("Tab")
    expect(surface).to_have_attribute("data-selected", "0")
    page.keyboard.press("Tab")
    expect(surface).to_have_attribute("data-selected", "-1")
    expect(surface).not_to_be_focused()
    surface.focus()
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/boxes/")) as request:
        page.keyboard.press("Enter")
    w, h = width / 4, height / 4
    expected = {"class": 0, "x": (width - w) / 2 - 10, "y": (height - h) / 2, "w": w + 1, "h": h + 10}
    assert_boxes(json.loads(request.value.post_data)["boxes"], [expected])


def test_draw_move_resize_delete_nudge_undo(box_job_page):
    page = box_job_page.page
    screen = Screen(page, box_job_page.natural)
    assert 1.5 < screen.scale < 2.5, "the page shows the image smaller than its natural size"

    # A car: class 1 picked first, then a drag on empty space.
    page.keyboard.press("1")
    screen.drag(screen.at(100, 100), screen.at(300, 250))
    count(page, 1)
    car = screen.box(0, (100, 100), (300, 250))

    # A second box, drawn while "car" is still the class, then made a person with "2" (it is selected).
    page.keyboard.press("Escape")
    screen.drag(screen.at(350, 50), screen.at(450, 300))
    page.keyboard.press("2")
    expect(page.locator("[data-box-row='1']")).to_contain_text("person")
    person = screen.box(1, (350, 50), (450, 300))

    # Move the car by 20 × 10 screen pixels: grab it inside, drag.
    screen.drag(screen.at(200, 200), screen.at(220, 210))
    car["x"] += 20 * screen.scale
    car["y"] += 10 * screen.scale

    # Resize the person from its bottom-right handle (selected by a click first): 30 × 20 further.
    page.mouse.click(*screen.at(400, 100))
    handle = page.locator("[data-handle=se]").bounding_box()
    grab = (round(handle["x"] + 2), round(handle["y"] + 2))
    screen.drag(grab, (grab[0] + 30, grab[1] + 20))
    person["w"] += 30 * screen.scale
    person["h"] += 20 * screen.scale

    # A 2-pixel slip makes no box; a real one is drawn and removed with Delete.
    screen.drag(screen.at(50, 320), screen.at(52, 322))
    count(page, 2)
    screen.drag(screen.at(50, 320), screen.at(90, 360))
    count(page, 3)
    page.keyboard.press("Delete")
    count(page, 2)

    # With the mouse only: the "car" button picks the class, a drag draws, the list's button deletes.
    car_button = page.get_by_role("button", name="1 car", exact=True)
    car_button.click()
    expect(car_button).to_have_attribute("aria-pressed", "true")
    page.evaluate("window.scrollTo(0, 0)")  # the click scrolled the buttons under the image into view
    screen.drag(screen.at(50, 320), screen.at(90, 360))
    expect(page.locator("[data-box-row='2']")).to_contain_text("car")
    page.get_by_role("button", name="Delete box 3 (car)").click()
    count(page, 2)

    # Tab selects the first box (the car); arrows nudge it in image pixels, Shift by 10; Ctrl+Z takes
    # back the last nudge.
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(page.locator("[data-box-surface]")).to_have_attribute("data-selected", "0")
    for key in ["ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowDown", "Shift+ArrowDown"]:
        page.keyboard.press(key)
    page.keyboard.press("Control+z")
    car["x"] += 3
    car["y"] += 10

    rows = page.locator("[data-box-list] li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("car: x ")
    expect(rows.nth(1)).to_contain_text("person: x ")

    item_id = int(page.locator("[data-item-view]").get_attribute("data-item"))
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/boxes/")) as request:
        page.keyboard.press("Enter")
    posted = json.loads(request.value.post_data)
    assert posted["item"] == item_id
    assert_boxes(posted["boxes"], [car, person])
    expect(page.locator("[data-batches] li")).to_contain_text("item 0, 2 boxes · pending")
    expect(page.locator("[data-item-view]")).not_to_have_attribute("data-item", str(item_id))
    stored = BoxAnnotation.objects.get(item_id=item_id)
    assert_boxes(stored.boxes, [car, person])  # canonical order (class, x, y…) is the order drawn here
