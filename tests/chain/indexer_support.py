"""Helpers for the indexer and worker tests: a real CrowdToken on the session's anvil."""

from __future__ import annotations

from collections.abc import Sequence

from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from apps.chain.compiler import load_artifact
from apps.chain.indexer import watch_contract
from apps.chain.models import ChainCursor, ChainEvent


def deploy_token(w3: Web3, *, initial_supply: int = 0) -> Contract:
    artifact = load_artifact("CrowdToken")
    owner = w3.eth.accounts[0]
    constructor = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode).constructor(
        "Crowd", "CRWD", owner, initial_supply, False
    )
    receipt = w3.eth.wait_for_transaction_receipt(constructor.transact({"from": owner}))
    token = w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)
    token.deployed_at = receipt["blockNumber"]
    return token


def deploy_watched_token(w3: Web3, *, initial_supply: int = 1_000) -> Contract:
    """A CrowdToken the indexer watches from its deployment block (deployment: 2 events)."""
    token = deploy_token(w3, initial_supply=initial_supply)
    watch_contract(w3=w3, contract="CrowdToken", address=token.address, from_block=token.deployed_at)
    return token


def mint(token: Contract, to: str, amount: int) -> int:
    """Mint in a block of its own (anvil automines); returns the block number."""
    tx_hash = token.functions.mint(to, amount).transact({"from": token.w3.eth.accounts[0]})
    return token.w3.eth.wait_for_transaction_receipt(tx_hash)["blockNumber"]


def mine(w3: Web3, blocks: int = 1) -> None:
    w3.provider.make_request("anvil_mine", [hex(blocks)])


def reorg(w3: Web3, depth: int, *, replay: Sequence[tuple[ContractFunction, int]] = ()) -> None:
    """Replace the newest `depth` blocks (anvil keeps the height); each (call, n) of `replay` is sent
    from the first account in the n-th new block, the other new blocks are empty."""
    transactions = [
        [{"from": w3.eth.accounts[0], "to": call.address, "data": call._encode_transaction_data()}, offset]
        for call, offset in replay
    ]
    reply = w3.provider.make_request("anvil_reorg", [depth, transactions])
    assert "error" not in reply, reply


def chain_logs(w3: Web3) -> set[tuple[str, int, str]]:
    """(tx hash, log index, block hash) of every log of every watched contract up to its cursor."""
    logs = set()
    for cursor in ChainCursor.objects.all():
        for log in w3.eth.get_logs({"fromBlock": 0, "toBlock": cursor.block_number, "address": cursor.address}):
            logs.add((log["transactionHash"].to_0x_hex(), log["logIndex"], log["blockHash"].to_0x_hex()))
    return logs


def stored_logs() -> set[tuple[str, int, str]]:
    return set(ChainEvent.objects.values_list("tx_hash", "log_index", "block_hash"))


def assert_index_matches_chain(w3: Web3) -> None:
    """Exactly the chain's logs are stored, once each, and every cursor's hash is the chain's."""
    assert ChainEvent.objects.count() == len(stored_logs())
    assert stored_logs() == chain_logs(w3)
    for cursor in ChainCursor.objects.all():
        assert cursor.block_hash == w3.eth.get_block(cursor.block_number)["hash"].to_0x_hex()
