"""The indexer watches AnonymousLabels from its deployment: groups and anonymous labels reach the database."""

from apps.chain.client import send
from apps.chain.indexer import index_once
from apps.chain.models import ChainEvent
from tests.zk_fixtures import LabelRequest


def test_members_and_anonymous_labels_are_indexed(
    w3, settings, anonymous_labels, make_job, add_members, prove, identities, roles
):
    settings.CHAIN_CONFIRMATIONS = 0
    job = make_job()
    add_members(job, identities[:2])
    (proof,) = prove([LabelRequest(identities[1], job, 5, 3)], identities[:2])
    send(anonymous_labels.functions.submitLabel(*proof.args()), sender=roles.relayer)

    index_once(w3=w3)

    added = ChainEvent.objects.get(name="MembersAdded", address=anonymous_labels.address)
    # Commitments exceed 2^53: stored as decimal strings, like every large integer in event JSON.
    assert added.args == {
        "job": job.instance.address,
        "startIndex": 0,
        "commitments": [str(i.commitment) for i in identities[:2]],
    }
    label = ChainEvent.objects.get(name="AnonymousLabel")
    assert label.args == {"job": job.instance.address, "itemId": 5, "label": 3, "nullifier": str(proof.nullifier)}
