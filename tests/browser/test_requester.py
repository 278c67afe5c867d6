"""A requester in a real browser: signs in, creates a job, imports a CSV, gets test tokens, funds the
job from the injected wallet (approve + createJob) and sees it go live once the indexer has run."""
import pytest
from playwright.sync_api import expect

from apps.chain.handlers import handle_pending
from apps.chain.indexer import index_once
from apps.jobs.models import Job
from tests.browser.conftest import off_the_browser_loop, wait_for

pytestmark = pytest.mark.browser

CSV = b"text,gold\nThe film was wonderful,positive\n\"A dull, slow plot\",\nI would watch it again,\n"


def test_requester_creates_imports_funds_and_sees_the_job_live(wallet_page, dev_accounts, deployed, w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0  # the indexer runs in this process: index what anvil has mined
    requester = wallet_page(dev_accounts[1])
    page = requester.page
    requester.sign_in()

    page.goto("/requester/jobs/new")
    page.get_by_label("Name").fill("Film reviews")
    page.get_by_label("Task").select_option("text_classification")
    page.get_by_label("Classes").fill("positive\nnegative")
    page.get_by_label("Labels per item").fill("2")
    page.get_by_label("Price per label (CROWD)").fill("0.5")
    page.get_by_label("Budget (CROWD)").fill("10")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url("**/requester/jobs/*/")
    expect(page.locator("[data-status-badge]")).to_have_text("Draft")

    page.locator("input[name=files]").set_input_files({"name": "reviews.csv", "mimeType": "text/csv", "buffer": CSV})
    page.get_by_role("button", name="Import").click()
    expect(page.locator("[data-stat=items]")).to_have_text("3")

    page.get_by_role("button", name="Get test tokens").click()
    expect(page.get_by_role("status")).to_contain_text("Test tokens minted")

    page.get_by_role("button", name="Fund with wallet").click()
    expect(page.get_by_role("status")).to_contain_text("waiting for the chain")
    job = wait_for(lambda: Job.objects.filter(status=Job.Status.FUNDING).first())
    assert w3.eth.wait_for_transaction_receipt(job.created_tx)["status"] == 1

    off_the_browser_loop(lambda: (index_once(w3=w3), handle_pending()))

    expect(page.locator("[data-status-badge]")).to_have_text("Live")
    job.refresh_from_db()
    assert (job.name, job.requester.address, job.budget, job.price_per_label) == (
        "Film reviews",
        requester.address,
        10 * 10**18,
        5 * 10**17,
    )
    assert job.instance_address == deployed.management.functions.jobAt(0).call()
