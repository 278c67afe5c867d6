"""A job labelled on anvil by four workers of known accuracy, ready to stop and settle: shared by the
settlement tests and the browser test of claiming."""

import numpy as np
import pytest

from apps.chain.client import send
from apps.chain.labels import pack_labels
from apps.jobs.models import Job
from tests.chain_fixtures import BUDGET, TOKEN
from tests.factories import make_job as make_db_job
from tests.factories import make_labels, make_user

N_ITEMS, N_CLASSES = 70, 3  # two truth words
GOLD = {i: i % N_CLASSES for i in range(6)}
TRUTH = [i % N_CLASSES for i in range(N_ITEMS)]


def crowd_answers() -> list[dict[int, int]]:
    """Two careful workers (3 and 2 errors), a sloppy one (14 errors), a spammer always answering 0.
    No two wrong votes on an item agree, so the truth is unambiguous."""
    careful, careful2, sloppy = (dict(enumerate(TRUTH)) for _ in range(3))
    for answers, wrong in ((careful, (9, 12, 15)), (careful2, (18, 21))):
        for i in wrong:
            answers[i] = (TRUTH[i] + 1) % N_CLASSES
    candidates = [i for i in range(24, N_ITEMS) if TRUTH[i] == 1]  # wrong as 2: never the spammer's 0
    for i in np.random.default_rng(7).choice(candidates, size=14, replace=False).tolist():
        sloppy[i] = 2
    return [careful, careful2, sloppy, {i: 0 for i in range(N_ITEMS)}]


def label_job_on_chain(*, w3, make_job, roles):
    """(db job, chain job, the four worker accounts), the job LIVE with every label confirmed."""
    chain_job = make_job(num_items=N_ITEMS, num_classes=N_CLASSES, redundancy=4, price=TOKEN, budget=BUDGET)
    accounts = roles.workers[:4]
    send(chain_job.instance.functions.admitWorkers([a.address for a in accounts]), sender=roles.oracle)
    job = make_db_job(
        requester=make_user(roles.requester.address),
        num_items=N_ITEMS,
        class_names=("a", "b", "c"),
        gold=GOLD,
        redundancy=4,
        price_per_label=TOKEN,
        budget=BUDGET,
        status=Job.Status.LIVE,
        stopping_rule=Job.StoppingRule.MANUAL,
        instance_address=chain_job.instance.address,
        chain_id=w3.eth.chain_id,
        created_tx=chain_job.created.tx_hash,
    )
    for account, answers in zip(accounts, crowd_answers()):
        packed = pack_labels(item_ids=list(answers), labels=list(answers.values()))
        sent = send(chain_job.instance.functions.submitLabels(packed), sender=account)
        make_labels(job=job, worker=make_user(account.address), labels=answers, tx_hash=sent.tx_hash)
    return job, chain_job, accounts


@pytest.fixture
def labelled_job(w3, make_job, roles):
    return label_job_on_chain(w3=w3, make_job=make_job, roles=roles)
