"""An anonymous label end to end on anvil, without a browser: a qualified wallet joins the job's
group, the indexer records the member, a proof made as the page makes it (zk/semaphore.mjs) goes to
the relay without a session, is checked by eth_call, sent by the relayer and confirmed by the
indexer. Replays (the same proof for another item or label) and an unknown root are refused before
any gas is spent: the relayer's nonce does not move."""

from apps.anonymity.models import AnonymousLabel, GroupJoin, GroupMember
from apps.chain.client import relayer_account
from apps.chain.registry import contract
from tests.anonymity.conftest import label_proof, zk
from tests.labeling.conftest import index_and_handle


def test_join_label_confirm_and_replays(chain_anonymous_job, qualified, no_session, dev_accounts, w3):
    job = chain_anonymous_job
    labeler = qualified(job, dev_accounts[3])
    (identity,) = zk({"command": "identities", "count": 1})
    reply = labeler.api.post(
        f"/api/jobs/{job.pk}/anonymity/join", {"commitment": identity["commitment"]}, format="json"
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["tx_hash"] == GroupJoin.objects.get().tx_hash
    labels_contract = contract("AnonymousLabels", w3=w3)
    assert labels_contract.functions.isMember(job.instance_address, int(identity["commitment"])).call()

    index_and_handle(w3)
    assert list(GroupMember.objects.values_list("index", "commitment")) == [(0, identity["commitment"])]
    group = no_session.get(f"/api/anon/jobs/{job.pk}/group").json()
    assert group["members"] == [identity["commitment"]] and group["job"] == job.instance_address

    proof = label_proof(identity, group, item=10, label=2)
    relayer = relayer_account().address
    nonce = w3.eth.get_transaction_count(relayer)
    for replay in ({**proof, "itemId": 11}, {**proof, "label": 1}):
        refused = no_session.post(f"/api/anon/jobs/{job.pk}/labels", replay, format="json")
        assert refused.status_code == 400 and "InvalidProof" in refused.json()["detail"], refused.content
    unknown_root = {**proof, "merkleTreeRoot": "12345"}
    refused = no_session.post(f"/api/anon/jobs/{job.pk}/labels", unknown_root, format="json")
    assert refused.status_code == 400 and "UnknownRoot" in refused.json()["detail"]
    assert w3.eth.get_transaction_count(relayer) == nonce  # no gas spent on any of them
    assert not AnonymousLabel.objects.exists()

    sent = no_session.post(f"/api/anon/jobs/{job.pk}/labels", proof, format="json")
    assert sent.status_code == 202, sent.content
    assert sent.json()["status"] == "pending" and sent.json()["nullifier"] == str(proof["nullifier"])
    again = no_session.post(f"/api/anon/jobs/{job.pk}/labels", proof, format="json")
    assert again.status_code == 409

    index_and_handle(w3)
    record = AnonymousLabel.objects.get()
    assert (record.status, record.item.index, record.label_index) == ("confirmed", 10, 2)
    assert record.item.labels_taken == 1 and record.block_number
    status = no_session.get(f"/api/anon/jobs/{job.pk}/labels/{proof['nullifier']}").json()
    assert status["status"] == "confirmed" and status["tx_hash"] == record.tx_hash
