"""Settling an anonymous job on anvil: the relayed anonymous labels decide truth, the correct ones
fund one payout leaf for AnonymousRewards, and settlement posts the correct-labels root and pulls the
pool; run again, it sends nothing. A claim whose proof is bad is refused without gas."""

from apps.anonymity.models import AnonymousPool
from apps.chain.client import relayer_account
from apps.chain.registry import contract
from apps.chain.semaphore import node_prover
from apps.jobs.models import Job
from apps.jobs.services import stop_live_job
from apps.rewards.settlement import settle_job
from tests.anonymity.conftest import zk
from tests.chain_fixtures import TOKEN, stop_on_chain
from tests.factories import make_user
from tests.labeling.conftest import index_and_handle, make_db_job

# item -> the classes three identities give it: item 10's truth is 2 (the third is wrong), item 11's 1.
VOTES = {10: (2, 2, 0), 11: (1, 1, None)}


def test_anonymous_labels_are_settled_and_the_pool_pulled(
    make_job, roles, qualified, no_session, dev_accounts, w3, settings
):
    settings.CHAIN_CONFIRMATIONS = 0
    on_chain = make_job(num_items=30, num_classes=3, redundancy=3, price=TOKEN)
    job = make_db_job(
        requester=make_user(roles.requester.address), instance_address=on_chain.instance.address,
        anonymous=True, redundancy=3, chain_id=w3.eth.chain_id, price_per_label=TOKEN, budget=on_chain.budget,
    )  # fmt: skip
    identities = zk({"command": "identities", "count": 3})
    for account, identity in zip(dev_accounts[3:6], identities):
        reply = qualified(job, account).api.post(
            f"/api/jobs/{job.pk}/anonymity/join", {"commitment": identity["commitment"]}, format="json"
        )
        assert reply.status_code == 201, reply.content
    index_and_handle(w3)
    group = no_session.get(f"/api/anon/jobs/{job.pk}/group").json()
    requests = [
        {
            "privateKey": identities[who]["privateKey"], "members": group["members"], "chainId": group["chain_id"],
            "contract": group["contract"], "job": group["job"], "itemId": item, "label": label, "depth": 2,
        }
        for item, labels in VOTES.items()
        for who, label in enumerate(labels)
        if label is not None
    ]  # fmt: skip
    for proof in node_prover({"command": "label_proofs", "requests": requests}):
        assert no_session.post(f"/api/anon/jobs/{job.pk}/labels", proof, format="json").status_code == 202
    index_and_handle(w3)

    assert stop_live_job(job_id=job.pk)
    stop_on_chain(job)
    settle_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SETTLED
    pool = AnonymousPool.objects.get(job=job)
    assert (pool.correct_count, int(pool.reward_per_label), int(pool.amount)) == (4, TOKEN, 4 * TOKEN)
    rewards = contract("AnonymousRewards", w3=w3)
    root, per_label, count, pulled, paid = rewards.functions.pool(job.instance_address).call()
    assert (str(root), per_label, count, pulled, paid) == (pool.correct_root, TOKEN, 4, True, 0)
    token = contract("CrowdToken", w3=w3)
    assert token.functions.balanceOf(rewards.address).call() == 4 * TOKEN

    oracle_nonce = w3.eth.get_transaction_count(roles.oracle.address)
    settle_job(job_id=job.pk)  # resumes at DONE: nothing is sent again
    assert w3.eth.get_transaction_count(roles.oracle.address) == oracle_nonce

    relayer_nonce = w3.eth.get_transaction_count(relayer_account().address)
    forged = {"count": 1, "recipient": "0x" + "ab" * 20, "claim_nullifiers": ["7"] + ["0"] * 7, "proof": ["1"] * 8}
    reply = no_session.post(f"/api/anon/jobs/{job.pk}/claims", forged, format="json")
    assert reply.status_code == 400 and "InvalidProof" in reply.json()["detail"]
    assert w3.eth.get_transaction_count(relayer_account().address) == relayer_nonce
