"""A job's anonymity group: only its oracle adds members, and proofs against recent roots still verify."""
from apps.chain.client import send
from tests.zk_fixtures import LabelRequest

from .support import events, reverts_with

SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def test_oracle_adds_members_and_the_indexer_sees_them(anonymous_labels, make_job, add_members, identities):
    job = make_job()
    address = job.instance.address
    assert anonymous_labels.functions.groupSize(address).call() == 0
    first = add_members(job, identities[:3])
    second = add_members(job, identities[3:5])
    assert events(anonymous_labels, "MembersAdded", first) == [
        {"job": address, "startIndex": 0, "commitments": [i.commitment for i in identities[:3]]}
    ]
    assert events(anonymous_labels, "MembersAdded", second)[0]["startIndex"] == 3
    assert anonymous_labels.functions.groupSize(address).call() == 5
    assert anonymous_labels.functions.groupDepth(address).call() == 3
    assert anonymous_labels.functions.isMember(address, identities[4].commitment).call()
    assert not anonymous_labels.functions.isMember(address, identities[5].commitment).call()
    assert anonymous_labels.functions.groupRoot(address).call() != 0


def test_only_the_jobs_oracle_adds_members(anonymous_labels, make_job, identities, roles):
    job = make_job()
    for outsider in (roles.requester, roles.workers[0], roles.stranger):
        with reverts_with("NotOracle"):
            add = anonymous_labels.functions.addMembers(job.instance.address, [identities[0].commitment])
            send(add, sender=outsider)
    assert anonymous_labels.functions.groupSize(job.instance.address).call() == 0


def test_bad_commitments_are_refused_and_nothing_is_added(anonymous_labels, make_job, add_members, identities, roles):
    job = make_job()
    add_members(job, identities[:1])
    cases = {
        "NoMembers": [],
        "LeafCannotBeZero": [identities[1].commitment, 0],
        "LeafGreaterThanSnarkScalarField": [SNARK_SCALAR_FIELD],
        "LeafAlreadyExists": [identities[0].commitment],
    }
    for error, commitments in cases.items():
        with reverts_with(error):
            send(anonymous_labels.functions.addMembers(job.instance.address, commitments), sender=roles.oracle)
    assert anonymous_labels.functions.groupSize(job.instance.address).call() == 1


def test_root_from_a_few_joins_ago_is_accepted_and_an_expired_one_is_not(
    anonymous_labels, make_job, add_members, prove, identities, roles
):
    job = make_job()
    founders = identities[:2]
    add_members(job, founders)
    # Both proofs are made before anyone else joins, against the founders' root.
    early, late = prove([LabelRequest(founders[0], job, 1, 1), LabelRequest(founders[1], job, 2, 1)], founders)
    add_members(job, identities[2:4])
    add_members(job, identities[4:6])
    send(anonymous_labels.functions.submitLabel(*early.args()), sender=roles.relayer)

    history = anonymous_labels.functions.ROOT_HISTORY().call()
    # identities only go so far: further roots come from throwaway commitments.
    for batch in range(history - 2):
        send(anonymous_labels.functions.addMembers(job.instance.address, [10_000 + batch]), sender=roles.oracle)
    assert not anonymous_labels.functions.isKnownRoot(job.instance.address, late.merkle_tree_root).call()
    with reverts_with("UnknownRoot"):
        send(anonymous_labels.functions.submitLabel(*late.args()), sender=roles.relayer)
