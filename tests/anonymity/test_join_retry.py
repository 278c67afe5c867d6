"""A join whose addMembers was mined but whose answer was lost (the labeler retries) is recorded
once the chain reports the commitment in the group, instead of failing forever."""

from apps.anonymity.models import GroupJoin
from apps.anonymity.services import ALREADY_IN_GROUP
from apps.chain.client import send
from apps.chain.registry import contract
from tests.anonymity.conftest import COMMITMENT


def test_join_after_a_lost_answer(chain_anonymous_job, qualified, dev_accounts, roles, w3):
    job = chain_anonymous_job
    labels = contract("AnonymousLabels", w3=w3)
    send(labels.functions.addMembers(job.instance_address, [COMMITMENT]), sender=roles.oracle)
    nonce = w3.eth.get_transaction_count(roles.oracle.address)
    labeler = qualified(job, dev_accounts[3])
    reply = labeler.api.post(f"/api/jobs/{job.pk}/anonymity/join", {"commitment": str(COMMITMENT)}, format="json")
    assert reply.status_code == 201, reply.content
    assert GroupJoin.objects.get().tx_hash == ALREADY_IN_GROUP
    assert w3.eth.get_transaction_count(roles.oracle.address) == nonce  # refused by estimation: no gas
