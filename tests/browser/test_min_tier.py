"""A requester opens a live job only to gold-tier labelers; a bronze labeler's board then shows the
job locked, with what unlocks it, and no way in."""

import pytest
from playwright.sync_api import expect

from apps.jobs.models import Job
from tests.factories import make_job as make_db_job
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_requester_sets_the_tier_and_the_board_locks_the_job(wallet_page, roles, dev_accounts):
    job = make_db_job(
        requester=make_user(roles.requester.address),
        name="Premium job",
        status="live",
        instance_address="0x" + "cd" * 20,
    )
    requester = wallet_page(roles.requester)
    requester.sign_in()
    page = requester.page
    page.goto(f"/requester/jobs/{job.pk}/")
    page.get_by_label("Minimum tier").select_option("gold")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved: open to gold tier and above.")
    assert Job.objects.get(pk=job.pk).min_tier == "gold"

    labeler = wallet_page(dev_accounts[6])
    labeler.sign_in()
    board = labeler.page
    board.goto("/jobs/")
    row = board.locator(f'[data-job="{job.pk}"]')
    expect(row).to_contain_text("Locked: Gold tier and above (2000 points and 90% gold accuracy")
    expect(row.get_by_role("link")).to_have_count(0)
