"""The requester's job dashboard in a real browser: Chart.js (served from /static/vendor) draws the
charts from the rendered numbers, and a push from the server updates them without a reload."""

import pytest
from playwright.sync_api import expect

from apps.learning.models import ModelVersion
from apps.quality.models import ItemAggregate
from tests.browser.conftest import off_the_browser_loop
from tests.factories import make_job, make_labels, make_user

pytestmark = pytest.mark.browser

STOP = """async (url) => {
  const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
  return (await fetch(url, { method: "POST", headers: { "X-CSRFToken": csrf } })).status;
}"""


def test_dashboard_draws_charts_and_updates_live(wallet_page, dev_accounts):
    requester = wallet_page(dev_accounts[1])
    requester.sign_in()
    page = requester.page
    job = make_job(requester=make_user(requester.address), num_items=4, gold={0: 0}, redundancy=2, status="live")
    worker = make_user("0x" + "cd" * 20)
    make_labels(job=job, worker=worker, labels={0: 0, 1: 1})
    ItemAggregate.objects.create(item=job.items.get(index=1), label=1, confidence=0.8, method="majority", votes=1)
    # Storing a model version pushes on commit, which must not run on Playwright's event loop.
    off_the_browser_loop(
        lambda: ModelVersion.objects.create(
            job=job, version=1, labels_used=2, items_used=1, heldout_accuracy=1.0, strategy="margin", artifact_cid="x"
        )
    )

    page.goto(f"/requester/jobs/{job.pk}/")
    expect(page.locator("[data-stat=labels_confirmed]")).to_have_text("2")
    assert page.locator("script[src='/static/vendor/chart.umd.min.js']").count() == 1
    assert page.evaluate("() => window.Chart.version").startswith("4.")
    for name in ("curve", "progress", "agreement", "workers"):
        canvas = page.locator(f"canvas[data-chart={name}]")
        expect(canvas).to_be_visible()
        assert page.evaluate("c => Boolean(window.Chart.getChart(c))", canvas.element_handle())
    expect(page.locator("canvas[data-chart=workers]")).to_have_attribute(
        "aria-label", "Per-worker accuracy: 0xcdcd…cdcd agreement 100%, gold 100%, 2 labels"
    )
    expect(page.locator("[data-live-state]")).to_contain_text("Live")

    # More labels confirm, then the job is stopped through the API: the server pushes on commit.
    make_labels(job=job, worker=make_user("0x" + "ef" * 20), labels={1: 1, 2: 0})
    page.evaluate("() => { window.notReloaded = true; }")
    assert page.evaluate(STOP, f"/api/jobs/{job.pk}/stop") == 200

    expect(page.locator("[data-stat=labels_confirmed]")).to_have_text("4")
    expect(page.locator("[data-status-badge]")).to_have_text("Stopped")
    expect(page.locator("[data-stat=items_complete]")).to_have_text("1")
    assert page.evaluate("() => window.notReloaded")
