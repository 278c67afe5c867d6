"""Common funder from chain data on a real anvil: wallets topped up with ETH or tokens from one wallet
are tied together; the platform's faucet (the oracle minting) and separate funders are not."""

import pytest
from eth_account import Account

from apps.chain.client import send
from apps.chain.funding import _eth_by_blocks, _eth_by_trace
from apps.integrity.models import WalletFunding, WorkerFlag
from apps.integrity.services import assess_job, wallet_funders
from tests.chain_fixtures import TOKEN
from tests.factories import make_job, make_labels, make_user

pytestmark = pytest.mark.django_db


def send_eth(w3, sender, to: str, value: int = 10**17) -> str:
    tx = {
        "to": to, "value": value, "gas": 21_000, "gasPrice": w3.eth.gas_price, "chainId": w3.eth.chain_id,
        "nonce": w3.eth.get_transaction_count(sender.address),
    }  # fmt: skip
    tx_hash = w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction)
    w3.eth.wait_for_transaction_receipt(tx_hash)
    return tx_hash.to_0x_hex()


def test_first_funders_from_eth_and_tokens(w3, deployed, roles):
    ring_owner, stranger = roles.workers[0], roles.stranger
    ring = [Account.create() for _ in range(3)]
    loner = Account.create()
    send(deployed.token.functions.mint(ring[2].address, TOKEN), sender=roles.oracle)  # the faucet: ignored
    for wallet in ring[:2]:
        send_eth(w3, ring_owner, wallet.address)
    send(deployed.token.functions.mint(ring_owner.address, 10 * TOKEN), sender=roles.oracle)
    send(deployed.token.functions.transfer(ring[2].address, TOKEN), sender=ring_owner)
    send_eth(w3, stranger, loner.address)

    found = wallet_funders(w3=w3, addresses=[a.address for a in ring + [loner]])

    assert found[ring[0].address] == found[ring[1].address] == {"eth": ring_owner.address}
    assert found[ring[2].address] == {"token": ring_owner.address}
    assert found[loner.address] == {"eth": stranger.address}
    # Cached: a second call scans only the blocks after the first.
    assert WalletFunding.objects.get(address=loner.address).scanned_through == w3.eth.block_number
    assert wallet_funders(w3=w3, addresses=[loner.address]) == {loner.address: {"eth": stranger.address}}


def test_block_scan_agrees_with_traces(w3, roles):
    wallet = Account.create()
    send_eth(w3, roles.stranger, wallet.address)
    head = w3.eth.block_number
    traced = _eth_by_trace(w3, [wallet.address], 0, head)
    scanned = _eth_by_blocks(w3, {wallet.address.lower()}, 0, head)
    assert traced == scanned and traced[0].source == roles.stranger.address


def test_assessment_flags_the_workers_with_a_common_funder_only(w3, deployed, roles):
    ring_owner = roles.stranger
    ring = [Account.create() for _ in range(2)]
    for wallet in ring:
        send_eth(w3, ring_owner, wallet.address)
    honest = [Account.create() for _ in range(2)]
    for funder, wallet in zip(roles.workers[:2], honest):
        send_eth(w3, funder, wallet.address)
    job = make_job(requester=make_user(roles.requester.address), num_items=12)
    for k, wallet in enumerate(ring + honest):  # the same honest answers: only funding differs
        make_labels(
            job=job, worker=make_user(wallet.address), labels={i: (i + (k == 3 and i == 0)) % 3 for i in range(12)}
        )

    assess_job(job=job)

    flags = {f.worker.address: f for f in WorkerFlag.objects.filter(job=job)}
    assert set(flags) == {w.address for w in ring}
    for wallet, other in (ring, ring[::-1]):
        (signal,) = [s for s in flags[wallet.address].signals if s["name"] == "common_funder" and s["fired"]]
        assert ring_owner.address.lower() in signal["reason"] and signal["related"] == [other.address]
        assert flags[wallet.address].cluster == sorted(w.address for w in ring)
        assert flags[wallet.address].status == WorkerFlag.Status.PENDING
        assert flags[wallet.address].decisions.get().note.startswith("its first ETH came from")


def test_a_funder_listed_later_stops_counting(w3, deployed, roles, settings):
    exchange = roles.stranger
    customers = [Account.create() for _ in range(2)]
    for wallet in customers:
        send_eth(w3, exchange, wallet.address)
    addresses = [w.address for w in customers]
    assert wallet_funders(w3=w3, addresses=addresses) == {a: {"eth": exchange.address} for a in addresses}

    settings.INTEGRITY_IGNORED_FUNDERS = [exchange.address]

    assert wallet_funders(w3=w3, addresses=addresses) == {a: {} for a in addresses}
