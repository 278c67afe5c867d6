"""A group member's label, proven with Semaphore v4 and sent by a relayer, is counted anonymously."""
from apps.chain.client import send
from apps.chain.semaphore import label_message, label_scope
from tests.zk_fixtures import LabelRequest

from .support import advance_time, events, reverts_with

DAY = 86_400


def submit(anonymous_labels, proof, relayer):
    return send(anonymous_labels.functions.submitLabel(*proof.args()), sender=relayer)


def test_member_label_is_tallied_without_naming_the_member(
    anonymous_labels, make_job, add_members, prove, identities, roles
):
    job = make_job()
    members = identities[:3]
    add_members(job, members)
    (proof,) = prove([LabelRequest(members[1], job, item_id=7, label=2)], members)

    sent = submit(anonymous_labels, proof, roles.relayer)

    assert events(anonymous_labels, "AnonymousLabel", sent) == [
        {"job": job.instance.address, "itemId": 7, "label": 2, "nullifier": proof.nullifier}
    ]
    assert anonymous_labels.functions.anonymousTally(job.instance.address, 7).call() == [0, 0, 1, 0]
    assert anonymous_labels.functions.nullifierUsed(job.instance.address, proof.nullifier).call()
    # Nothing in the transaction names the member: only the relayer, the job and the proof.
    assert sent.receipt["from"] == roles.relayer.address
    assert sent.gas_used <= 400_000, sent.gas_used


def test_contract_and_python_agree_on_scope_and_message(w3, anonymous_labels, job):
    address = job.instance.address
    assert anonymous_labels.functions.labelScope(address, 9).call() == label_scope(
        chain_id=w3.eth.chain_id, contract_address=anonymous_labels.address, job=address, item_id=9
    )
    message = label_message(job=address, item_id=9, label=3)
    assert anonymous_labels.functions.labelMessage(address, 9, 3).call() == message


def test_browser_depth_twenty_proof_is_accepted(anonymous_labels, make_job, add_members, prove, identities, roles):
    job = make_job()
    add_members(job, identities[:2])
    (proof,) = prove([LabelRequest(identities[0], job, item_id=0, label=1)], identities[:2], depth=20)
    assert proof.merkle_tree_depth == 20
    submit(anonymous_labels, proof, roles.relayer)
    assert anonymous_labels.functions.anonymousTally(job.instance.address, 0).call() == [0, 1, 0, 0]


def test_batch_of_labels_is_all_or_nothing(anonymous_labels, make_job, add_members, prove, identities, roles):
    job = make_job(num_classes=3)
    members = identities[:2]
    add_members(job, members)
    good, other, bad_class = prove(
        [
            LabelRequest(members[0], job, 1, 0),
            LabelRequest(members[0], job, 2, 2),
            LabelRequest(members[1], job, 3, 3),
        ],
        members,
    )

    def batch(*proofs):
        columns = list(zip(*(p.args()[1:] for p in proofs)))
        return anonymous_labels.functions.submitLabels(job.instance.address, *map(list, columns))

    with reverts_with("ClassOutOfRange"):
        send(batch(good, other, bad_class), sender=roles.relayer)
    assert anonymous_labels.functions.anonymousTally(job.instance.address, 1).call() == [0, 0, 0]
    sent = send(batch(good, other), sender=roles.relayer)
    assert [e["itemId"] for e in events(anonymous_labels, "AnonymousLabel", sent)] == [1, 2]
    with reverts_with("MalformedBatch"):
        send(anonymous_labels.functions.submitLabels(job.instance.address, [1], [0], [], [], [], []), sender=roles.relayer)


def test_item_and_class_must_exist_and_item_not_be_full(
    anonymous_labels, make_job, add_members, prove, identities, roles
):
    job = make_job(num_items=10, num_classes=2, redundancy=2)
    members = identities[:3]
    add_members(job, members)
    out_of_range, bad_class, first, second, third = prove(
        [
            LabelRequest(members[0], job, 10, 0),
            LabelRequest(members[0], job, 4, 2),
            LabelRequest(members[0], job, 5, 1),
            LabelRequest(members[1], job, 5, 1),
            LabelRequest(members[2], job, 5, 0),
        ],
        members,
    )
    with reverts_with("ItemOutOfRange"):
        submit(anonymous_labels, out_of_range, roles.relayer)
    with reverts_with("ClassOutOfRange"):
        submit(anonymous_labels, bad_class, roles.relayer)
    submit(anonymous_labels, first, roles.relayer)
    submit(anonymous_labels, second, roles.relayer)
    with reverts_with("ItemFull"):
        submit(anonymous_labels, third, roles.relayer)
    assert anonymous_labels.functions.anonymousTally(job.instance.address, 5).call() == [0, 2]


def test_closed_job_takes_no_labels(
    w3, anonymous_labels, make_job, add_members, prove, identities, roles
):
    job = make_job(deadline_in=DAY)
    add_members(job, identities[:2])
    (proof,) = prove([LabelRequest(identities[0], job, 1, 1)], identities[:2])
    advance_time(w3, DAY + 1)
    with reverts_with("LabellingClosed"):
        submit(anonymous_labels, proof, roles.relayer)
