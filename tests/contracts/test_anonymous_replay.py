"""A label proof works once, for its own job, item and label, and only for group members."""
from dataclasses import replace

from apps.chain.client import send
from tests.zk_fixtures import LabelRequest

from .support import reverts_with


def submit(anonymous_labels, proof, relayer):
    return send(anonymous_labels.functions.submitLabel(*proof.args()), sender=relayer)


def test_reused_nullifier_is_rejected(anonymous_labels, make_job, add_members, prove, identities, roles):
    job = make_job()
    members = identities[:2]
    add_members(job, members)
    # The same identity proving again for the same item, even with another label, has the same nullifier.
    first, again = prove([LabelRequest(members[0], job, 4, 1), LabelRequest(members[0], job, 4, 3)], members)
    assert first.nullifier == again.nullifier
    submit(anonymous_labels, first, roles.relayer)
    for proof in (first, again):
        with reverts_with("NullifierUsed"):
            submit(anonymous_labels, proof, roles.stranger)


def test_nullifiers_differ_across_items_so_labels_are_unlinkable(make_job, add_members, prove, identities):
    job = make_job()
    add_members(job, identities[:2])
    proofs = prove([LabelRequest(identities[0], job, item, 1) for item in (1, 2, 3)], identities[:2])
    assert len({p.nullifier for p in proofs}) == 3


def test_proof_replayed_with_other_data_is_rejected(anonymous_labels, make_job, add_members, prove, identities, roles):
    job, other_job = make_job(), make_job()
    members = identities[:2]
    add_members(job, members)
    add_members(other_job, members)  # same members: same root, so only the binding can stop a replay
    (proof,) = prove([LabelRequest(members[0], job, 6, 1)], members)
    assert anonymous_labels.functions.groupRoot(other_job.instance.address).call() == proof.merkle_tree_root

    for replayed in (
        replace(proof, label=2),
        replace(proof, item_id=7),
        replace(proof, job=other_job.instance.address),
        replace(proof, points=(proof.points[0] + 1, *proof.points[1:])),
    ):
        with reverts_with("InvalidProof"):
            submit(anonymous_labels, replayed, roles.relayer)
    # Front-running the relayer with a copy changes nothing: the copy must carry the same label.
    submit(anonymous_labels, proof, roles.stranger)
    assert anonymous_labels.functions.anonymousTally(job.instance.address, 6).call() == [0, 1, 0, 0]


def test_non_member_cannot_label(anonymous_labels, make_job, add_members, prove, identities, roles):
    job = make_job()
    members, outsider = identities[:3], identities[3]
    add_members(job, members)
    # An outsider can only prove membership of a group it is in; that root is not the job's.
    (own_group,) = prove([LabelRequest(outsider, job, 1, 1)], [*members, outsider])
    with reverts_with("UnknownRoot"):
        submit(anonymous_labels, own_group, roles.relayer)
    # Pointing its proof at the job's real root does not verify.
    with reverts_with("InvalidProof"):
        submit(
            anonymous_labels,
            replace(own_group, merkle_tree_root=anonymous_labels.functions.groupRoot(job.instance.address).call()),
            roles.relayer,
        )
    with reverts_with("DepthNotSupported"):
        submit(anonymous_labels, replace(own_group, merkle_tree_depth=33), roles.relayer)
