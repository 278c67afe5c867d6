"""Box jobs are screened before they pay, like class jobs: a labeler answering like a script (every
image in 200 ms) is flagged, the settlement holds for the requester's review, and a rejection
withholds its pay (no leaf; its share stays for the refund) while the others are paid as usual."""

import json

from apps.integrity.models import WorkerFlag
from apps.jobs.models import Item
from apps.jobs.services import stop_live_job
from apps.rewards.models import Settlement
from apps.rewards.screening import review_flag
from apps.rewards.settlement import settle_job
from apps.storage.selectors import read_blob
from tests.boxes.conftest import GOLD_BOXES, index_and_handle
from tests.boxes.helpers import box_dicts, post_boxes, signed_boxes
from tests.chain_fixtures import stop_on_chain

CAR = (0, 100, 100, 200, 100)


def draw(labeler, job, item_pk: int, boxes, *, answer_ms: int) -> None:
    reply = post_boxes(labeler, job, signed_boxes(labeler, job, item_pk, box_dicts(*boxes), answer_ms=answer_ms))
    assert reply.status_code == 201, reply.content


def test_a_scripted_box_labeler_is_held_for_review_and_a_rejection_withholds_its_pay(job3, admitted, dev_accounts, w3):
    scripted, careful = admitted(job3, dev_accounts[3]), admitted(job3, dev_accounts[4])
    item = {i.index: i.pk for i in Item.objects.filter(job=job3)}
    gold = {index: [(b.cls, b.x, b.y, b.w, b.h) for b in boxes] for index, boxes in GOLD_BOXES.items()}
    for index in range(12):  # every image right, each in 200 ms
        draw(scripted, job3, item[index], gold.get(index, [CAR]), answer_ms=200)
    for index in range(3, 12):  # nine images, too few timed answers for the timing signals
        draw(careful, job3, item[index], [CAR], answer_ms=4200)
    index_and_handle(w3)
    assert stop_live_job(job_id=job3.pk)
    stop_on_chain(job3)

    held = settle_job(job_id=job3.pk)

    assert held.step == Settlement.Step.HELD
    flags = {f.worker.address: f for f in WorkerFlag.objects.filter(job=job3).select_related("worker")}
    assert set(flags) == {scripted.account.address}
    fired = {s["name"] for s in flags[scripted.account.address].signals if s["fired"]}
    assert fired == {"too_fast", "too_regular"} and flags[scripted.account.address].holds_payout
    # Its gold images were right (3 of 3, too few to score) and so were the others: only timing fires.
    signals = {s["name"]: s for s in flags[scripted.account.address].signals}
    assert not signals["gold_accuracy"]["fired"] and not signals["peer_agreement"]["fired"]

    review_flag(flag_id=flags[scripted.account.address].pk, reviewer=job3.requester, status="rejected", note="script")
    done = settle_job(job_id=job3.pk)

    assert done.step == Settlement.Step.DONE
    workers = {w["address"]: w for w in json.loads(read_blob(done.report_cid))["workers"]}
    assert workers[scripted.account.address]["withheld"] and int(workers[scripted.account.address]["amount"]) == 0
    assert (
        workers[scripted.account.address]["correct"] == 12 and workers[scripted.account.address]["leaf_index"] is None
    )
    assert int(workers[careful.account.address]["amount"]) == 9 * int(job3.price_per_label)
    assert int(done.total) == 9 * int(job3.price_per_label)
