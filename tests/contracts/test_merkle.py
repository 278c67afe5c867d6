import pytest
from eth_abi import encode
from web3 import Web3

from apps.chain.client import send
from apps.chain.merkle import Payout, build_payout_tree, hash_pair, payout_leaf

from tests.chain_fixtures import TOKEN
from apps.chain.client import send

from .support import funded_accounts, label_disjoint, settle_root

ACCOUNTS = [Web3.to_checksum_address(f"0x{i:040x}") for i in range(1, 12)]


def payouts(count: int) -> list[Payout]:
    return [Payout(index=i, account=ACCOUNTS[i], amount=(i + 1) * 10**15) for i in range(count)]


def root_from(leaf: bytes, proof: list[bytes]) -> bytes:
    for sibling in proof:
        leaf = hash_pair(leaf, sibling)
    return leaf


def test_leaf_is_the_double_hash_of_the_abi_encoding():
    payout = Payout(index=3, account=ACCOUNTS[0], amount=5)
    inner = Web3.keccak(encode(["uint256", "address", "uint256"], [3, ACCOUNTS[0], 5]))
    assert payout_leaf(payout) == Web3.keccak(inner)


@pytest.mark.parametrize("count", range(1, 12))
def test_every_proof_rebuilds_the_root(count):
    tree = build_payout_tree(payouts(count))
    for payout in payouts(count):
        assert root_from(payout_leaf(payout), tree.proofs[payout.index]) == tree.root
    assert tree.total == sum(p.amount for p in payouts(count))


def test_root_ignores_input_order():
    assert build_payout_tree(payouts(7)).root == build_payout_tree(payouts(7)[::-1]).root


def test_single_payout_tree_is_its_leaf():
    (payout,) = payouts(1)
    tree = build_payout_tree([payout])
    assert tree.root == payout_leaf(payout) and tree.proofs[payout.index] == []


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        build_payout_tree([])
    with pytest.raises(ValueError):
        build_payout_tree(payouts(2) + payouts(1))


@pytest.mark.parametrize("count", [1, 5, 6])
def test_the_contract_accepts_every_proof(w3, make_job, roles, count):
    job = make_job()
    accounts = funded_accounts(w3, count)
    paid = [Payout(index=100 + i, account=a.address, amount=(i + 1) * TOKEN) for i, a in enumerate(accounts)]
    send(job.instance.functions.admitWorkers([a.address for a in accounts]), sender=roles.oracle)
    label_disjoint(job.instance, accounts, [i + 1 for i in range(count)])
    tree = build_payout_tree(paid)
    settle_root(job, roles.oracle, tree.root, tree.total, "report")
    for account, payout in zip(accounts, paid):
        send(job.instance.functions.claim(payout.index, payout.amount, tree.proofs[payout.index]), sender=account)
    assert job.instance.functions.escrowState().call()[0] == tree.total
