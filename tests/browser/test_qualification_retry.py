"""A labeler in a real browser fails a qualification round, is told how many attempts are left and
when it may retry, is refused before the wait is over, waits, retries on fresh gold and passes;
the labeling page shows its reputation in the job's domain."""

import time

import pytest
from playwright.sync_api import expect

from apps.jobs.models import GoldAnswer
from apps.labeling.models import Qualification
from tests.factories import make_job as make_db_job
from tests.factories import make_user

pytestmark = pytest.mark.browser
WAIT_SECONDS = 4


def answer_round(page, *, right: bool) -> None:
    for n in (1, 2):
        expect(page.locator("[data-phase]")).to_contain_text(f"Qualification: item {n} of 2")
        item_id = int(page.locator("[data-item-view]").get_attribute("data-item"))
        truth = GoldAnswer.objects.get(item_id=item_id).label_index
        page.keyboard.press(str((truth if right else 1 - truth) + 1))
        expect(page.locator("[data-feedback]")).to_contain_text("Correct" if right else "Incorrect")


def test_fail_wait_retry_pass(wallet_page, make_job, dev_accounts, roles, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    on_chain = make_job(num_items=12, num_classes=2, redundancy=2)
    job = make_db_job(
        requester=make_user(roles.requester.address),
        num_items=12,
        class_names=("no", "yes"),
        gold={i: i % 2 for i in range(8)},  # split: 4 for qualification (2 rounds of 2), 4 honeypots
        redundancy=2,
        status="live",
        instance_address=on_chain.instance.address,
        qualification_size=2,
        qualification_bar=1.0,
        qualification_wait_seconds=WAIT_SECONDS,
        qualification_max_attempts=2,
        domain="digits",
    )
    alice = wallet_page(dev_accounts[5])
    alice.sign_in()
    page = alice.page
    page.goto(f"/jobs/{job.pk}/label")
    expect(page.locator("[data-reputation]")).to_contain_text("No reputation in digits yet · voting power 1")

    answer_round(page, right=False)
    expect(page.locator("[data-error]")).to_contain_text("Not passed. 1 attempt left; you can retry from")
    page.get_by_role("button", name="Retry the qualification").click()  # too early
    expect(page.locator("[data-error]")).to_contain_text("you can retry later, in")

    time.sleep(WAIT_SECONDS)
    page.get_by_role("button", name="Retry the qualification").click()
    answer_round(page, right=True)
    expect(page.locator("[data-phase]")).to_have_text("Label this item.", timeout=15_000)
    qualification = Qualification.objects.get(job=job)
    assert qualification.attempts == 2 and qualification.admitted
    assert len(set(qualification.revealed_ids)) == 4  # the retry drew the two gold items not seen yet
