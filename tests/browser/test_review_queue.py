"""The review page in a real browser: the requester reads a flagged worker's reasons, rejects it with
a note, and sees the new status and the audit trail."""

import pytest
from playwright.sync_api import expect

from apps.integrity.models import ReviewDecision, WorkerFlag
from tests.factories import make_job, make_user

pytestmark = pytest.mark.browser

SIGNAL = {"name": "too_fast", "score": 210.0, "threshold": 600.0, "fired": True, "related": [],
          "reason": "median answer time 210 ms over 40 answers"}  # fmt: skip


def test_requester_rejects_a_flagged_worker_with_a_note(wallet_page, dev_accounts):
    requester = wallet_page(dev_accounts[1])
    requester.sign_in()
    page = requester.page
    job = make_job(requester=make_user(requester.address), num_items=2, status="stopped")
    flag = WorkerFlag.objects.create(job=job, worker=make_user("0x" + "cd" * 20), signals=[SIGNAL])

    page.goto(f"/requester/jobs/{job.pk}/")
    page.locator("[data-review-link]").click()
    card = page.locator(f"[data-flag='{flag.pk}']")
    expect(card).to_contain_text("median answer time 210 ms")
    card.get_by_role("button", name="Reject (withhold)").click()  # no note: the form refuses to send
    assert not ReviewDecision.objects.exists()
    card.get_by_label("Note").fill("a script: 210 ms per item")
    card.get_by_role("button", name="Reject (withhold)").click()

    expect(page.locator(f"[data-flag='{flag.pk}'] [data-flag-badge]")).to_have_text("Rejected: pay withheld")
    expect(page.locator(f"[data-flag='{flag.pk}'] details")).to_contain_text("a script: 210 ms per item")
    decision = ReviewDecision.objects.get(flag=flag)
    assert (decision.status, decision.reviewer.address) == ("rejected", requester.address)
