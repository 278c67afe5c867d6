"""A settled job in a real browser. A labeler claims its payout: the rewards panel shows what is
claimable, the wallet sends claim(index, amount, proof), and once the indexer has seen Claimed the
panel shows the claim done and the larger token balance. The requester sees the settlement and takes
the refund of what the payouts left."""

import pytest
from playwright.sync_api import expect

from apps.jobs.models import Job
from apps.rewards.models import Payout, Settlement
from apps.rewards.settlement import settle_job
from tests.browser.conftest import off_the_browser_loop, run_the_worker
from tests.chain_fixtures import BUDGET, stop_on_chain
from tests.rewards.conftest import label_job_on_chain

pytestmark = pytest.mark.browser

REFRESH_TIMEOUT_MS = 15_000  # the panel refreshes every 5 s


@pytest.fixture
def settled_job(make_job, roles, w3, settings):
    """(job, its four workers), settled on anvil as the settlement worker would."""
    settings.CHAIN_CONFIRMATIONS = 0
    job, _, workers = label_job_on_chain(w3=w3, make_job=make_job, roles=roles)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.STOPPED)
    off_the_browser_loop(lambda: (stop_on_chain(job), settle_job(job_id=job.pk)))
    return job, workers


def test_claim_a_settled_payout(settled_job, wallet_page, deployed, w3):
    job, (careful, *_) = settled_job
    amount = int(Payout.objects.get(job=job, worker__address=careful.address).amount)
    before = deployed.token.functions.balanceOf(careful.address).call()

    labeler = wallet_page(careful)
    labeler.sign_in()
    page = labeler.page
    page.goto("/rewards")
    row = page.locator(f'[data-payout="{job.pk}"]')
    expect(page.locator('[data-reward="claimable"]')).to_have_attribute("data-value", str(amount))
    expect(page.locator('[data-reward="balance"]')).to_have_attribute("data-value", str(before))
    assert amount > 0

    row.get_by_role("button", name="Claim").click()
    expect(row).to_contain_text("waiting for the chain")
    assert deployed.token.functions.balanceOf(careful.address).call() == before + amount
    run_the_worker(w3)

    expect(row).to_contain_text("Claimed", timeout=REFRESH_TIMEOUT_MS)
    expect(page.locator('[data-reward="claimable"]')).to_have_attribute("data-value", "0")
    expect(page.locator('[data-reward="balance"]')).to_have_attribute("data-value", str(before + amount))


def test_requester_sees_the_settlement_and_takes_the_refund(settled_job, wallet_page, deployed, roles, w3):
    job, _ = settled_job
    settlement = Settlement.objects.get(job=job)
    before = deployed.token.functions.balanceOf(roles.requester.address).call()

    requester = wallet_page(roles.requester)
    requester.sign_in()
    page = requester.page
    page.goto(f"/requester/jobs/{job.pk}/")
    expect(page.locator("[data-report-cid]")).to_have_text(settlement.report_cid)
    page.get_by_role("button", name="Get refund").click()
    expect(page.locator("[data-status]")).to_contain_text("waiting for the chain")
    assert deployed.token.functions.balanceOf(roles.requester.address).call() == before + BUDGET - int(settlement.total)
    run_the_worker(w3)

    expect(page.get_by_text("Refunded: what the payouts left")).to_be_visible()  # reloaded once REFUNDED
