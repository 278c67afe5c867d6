"""Anonymous labeling in a real browser: a labeler qualifies with its wallet, its page creates a
Semaphore identity and joins the job's group, labels items with proofs made in the page (depth-20
circuit, Semaphore's ceremony artifacts) and relayed without the session, and sees them confirmed;
the job settles, and the labeler claims its reward to a fresh address, once."""

import pytest
from playwright.sync_api import expect

from apps.anonymity.models import AnonymousLabel, GroupJoin
from apps.chain.registry import contract
from apps.jobs.models import GoldAnswer, Item
from apps.jobs.services import stop_live_job
from apps.rewards.settlement import settle_job
from tests.browser.conftest import off_the_browser_loop, run_the_worker
from tests.chain_fixtures import TOKEN, stop_on_chain
from tests.factories import make_job as make_db_job
from tests.factories import make_user

pytestmark = pytest.mark.browser

PROOF_SECONDS = 120  # a depth-20 proof takes seconds here; far longer on a machine busy with other tests


def test_qualify_join_label_anonymously_and_confirm(wallet_page, make_job, dev_accounts, roles, w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    on_chain = make_job(num_items=12, num_classes=2, redundancy=2)
    job = make_db_job(
        requester=make_user(roles.requester.address), num_items=12, class_names=("no", "yes"),
        gold={0: 0, 1: 1}, redundancy=2, status="live", instance_address=on_chain.instance.address,
        qualification_size=2, qualification_bar=1.0, anonymous=True, chain_id=w3.eth.chain_id,
    )  # fmt: skip
    alice = wallet_page(dev_accounts[5])
    alice.sign_in()
    page = alice.page
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.goto("/jobs/")
    expect(page.locator("[data-anonymous-badge]")).to_have_text("Anonymous")
    page.get_by_role("link", name="Qualify").click()
    for n in (1, 2):
        expect(page.locator("[data-phase]")).to_contain_text(f"Qualification: item {n} of 2")
        item_id = int(page.locator("[data-item-view]").get_attribute("data-item"))
        page.keyboard.press(str(GoldAnswer.objects.get(item_id=item_id).label_index + 1))
        expect(page.locator("[data-feedback]")).to_contain_text("Correct")

    expect(page.locator("[data-phase]")).to_contain_text("Waiting for your membership", timeout=15_000)
    join = GroupJoin.objects.get(job=job)
    stored = page.evaluate(f"JSON.parse(localStorage.getItem('crowdal.anonymous.job.{job.pk}'))")
    assert stored["identity"] and join.worker.address == alice.address and join.tx_hash
    run_the_worker(w3)  # the indexer records MembersAdded
    expect(page.locator("[data-phase]")).to_have_text("Label this item (anonymously).", timeout=15_000)

    # Gold items are listed among the others (so the list reveals no gold), and a label on one is
    # recorded but never counted: three labels, at most two of them on the job's two gold items.
    labelled = []
    for key in ("2", "1", "2"):
        item_id = page.locator("[data-item-view]").get_attribute("data-item")
        labelled.append(int(item_id))
        page.keyboard.press(key)
        expect(page.locator("[data-anonymous-labels] li")).to_have_count(len(labelled), timeout=PROOF_SECONDS * 1000)
        expect(page.locator("[data-item-view]")).not_to_have_attribute("data-item", item_id)
    rows = page.locator("[data-anonymous-labels] li")
    expect(rows.first).to_contain_text("pending")
    records = AnonymousLabel.objects.filter(job=job)
    assert sorted(records.values_list("item_id", flat=True)) == sorted(labelled)
    assert sorted(records.values_list("label_index", flat=True)) == [0, 1, 1]

    run_the_worker(w3)  # AnonymousLabel events confirm them
    for row in rows.all():  # a label on gold shows as confirmed too until the job is settled
        expect(row).to_contain_text("confirmed", timeout=15_000)
    gold_items = set(Item.objects.filter(job=job, is_gold=True).values_list("pk", flat=True))
    counted = [pk for pk in labelled if pk not in gold_items]
    assert dict(records.values_list("item_id", "status")) == {
        pk: "rejected" if pk in gold_items else "confirmed" for pk in labelled
    }

    anonymous_calls = [r for r in requests if "/api/anon/" in r.url]
    assert anonymous_calls and all("cookie" not in r.all_headers() for r in anonymous_calls)

    off_the_browser_loop(lambda: (stop_live_job(job_id=job.pk), stop_on_chain(job), settle_job(job_id=job.pk)))
    page.goto(f"/jobs/{job.pk}/anonymous-rewards")
    # One labeler: each item's only vote is its truth, so every counted label is correct.
    expect(page.locator("[data-claim-found]")).to_contain_text(
        f"{len(counted)} of your 3 labels are correct", timeout=30_000
    )
    page.get_by_role("button", name="Generate a fresh address").click()
    fresh = page.get_by_label("Send the reward to").input_value()
    assert fresh.lower() != alice.address.lower()
    token = contract("CrowdToken", w3=w3)
    assert token.functions.balanceOf(fresh).call() == 0
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("[data-claim-status]")).to_contain_text(
        f"Claimed {len(counted)} of {len(counted)} labels", timeout=PROOF_SECONDS * 1000
    )
    assert token.functions.balanceOf(fresh).call() == len(counted) * TOKEN

    page.get_by_role("button", name="Claim").click()  # the same labels again
    expect(page.locator("[data-error]")).to_contain_text("claimed already", timeout=PROOF_SECONDS * 1000)
    assert token.functions.balanceOf(fresh).call() == len(counted) * TOKEN
