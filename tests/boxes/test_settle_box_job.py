"""A box job settled on anvil: box votes relayed through the API, indexed and verified, then truth
(consensus box counts) and the payout root on chain, consensus stored and in the report."""

import json

import pytest

from apps.boxes.models import ConsensusBoxes
from apps.chain.registry import job_instance
from apps.jobs.models import Item, Job
from apps.jobs.services import stop_live_job
from apps.rewards.models import Settlement
from apps.rewards.settlement import settle_job
from apps.storage.selectors import read_blob
from tests.boxes.conftest import index_and_handle
from tests.boxes.helpers import box_dicts, submit
from tests.chain_fixtures import stop_on_chain

CAR = (0, 100, 100, 200, 100)
PERSON = (1, 400, 50, 60, 150)


def near(box, dx):
    cls, x, y, w, h = box
    return (cls, x + dx, y - dx, w, h + dx)


def test_box_job_settles_on_chain(job3, admitted, dev_accounts, w3):
    careful, careful2, spammer = (admitted(job3, dev_accounts[i]) for i in (3, 4, 5))
    item = {i.index: i.pk for i in Item.objects.filter(job=job3)}
    answers = [
        (careful, {0: [CAR, PERSON], 5: [CAR, PERSON], 6: [PERSON]}),  # item 0 is gold: its gold boxes differ
        (careful2, {5: [near(CAR, 2), near(PERSON, 1)], 6: [near(PERSON, -2)], 7: []}),
        (spammer, {5: [(0, 0, 0, 20, 20)], 6: [(1, 600, 400, 30, 30)]}),
    ]
    for labeler, drawn in answers:
        for index, boxes in drawn.items():
            assert submit(labeler, job3, item[index], box_dicts(*boxes)).status_code == 201
    index_and_handle(w3)
    assert stop_live_job(job_id=job3.pk)
    stop_on_chain(job3)

    settlement = settle_job(job_id=job3.pk)

    job3.refresh_from_db()
    assert job3.status == Job.Status.SETTLED and settlement.step == Settlement.Step.DONE
    assert settlement.method == "box-consensus-iou"
    instance = job_instance(job3.instance_address, w3=w3)
    truth = [instance.functions.truth(i).call() for i in range(12)]
    assert truth[:8] == [2, 1, 0, 0, 0, 2, 1, 0]  # gold counts on 0-2, consensus counts on 5-7
    consensus = {c.item.index: c.boxes for c in ConsensusBoxes.objects.select_related("item")}
    assert [b["class"] for b in consensus[5]] == [0, 1] and consensus[7] == []
    assert consensus[5][0]["confidence"] == pytest.approx(2 / 3) and consensus[5][0]["workers"] == 2

    report = json.loads(read_blob(settlement.report_cid))
    assert report["consensus"]["5"] == consensus[5]
    workers = {w["address"]: w for w in report["workers"]}
    assert workers[careful.account.address]["correct"] == 2  # item 0 against gold: wrong count, missed
    assert workers[careful2.account.address]["correct"] == 3  # item 7: "nothing here", the consensus
    assert workers[spammer.account.address]["correct"] == 0 and int(workers[spammer.account.address]["amount"]) == 0
    assert int(workers[careful2.account.address]["amount"]) == 3 * int(job3.price_per_label)
    assert "0x" + instance.functions.payoutRoot().call().hex() == settlement.root
