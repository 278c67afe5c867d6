"""A requester in a real browser: signs in, creates a job, imports a CSV, gets test tokens, funds the
job from the injected wallet (approve + createJob) and sees it go live once the indexer has run."""

import pytest

from tests.browser.conftest import create_and_fund_job

pytestmark = pytest.mark.browser

CSV = b'text,gold\nThe film was wonderful,positive\n"A dull, slow plot",\nI would watch it again,\n'


def test_requester_creates_imports_funds_and_sees_the_job_live(wallet_page, dev_accounts, deployed, w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0  # the indexer runs in this process: index what anvil has mined
    requester = wallet_page(dev_accounts[1])
    requester.sign_in()

    job = create_and_fund_job(
        requester.page,
        w3,
        name="Film reviews",
        csv=CSV,
        items=3,
        fields={
            "Classes": "positive\nnegative",
            "Labels per item": "2",
            "Price per label (CROWD)": "0.5",
            "Budget (CROWD)": "10",
        },
    )

    assert (job.name, job.requester.address, job.budget, job.price_per_label) == (
        "Film reviews",
        requester.address,
        10 * 10**18,
        5 * 10**17,
    )
    assert job.instance_address == deployed.management.functions.jobAt(0).call()
