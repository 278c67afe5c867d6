"""Helpers for the on-chain model tests: models created through the deployed ModelFactory on anvil."""

from __future__ import annotations

import pytest

from apps.chain import onchain_models as om


def advance(w3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


@pytest.fixture
def make_model(w3, deployed, roles):
    """Create, load and (unless seal=False) seal a model owned by the oracle key."""

    def create(*, kind, class_names, params, values=(), trainer=None, seal=True):
        created = om.create_model(w3=w3, owner=roles.oracle, kind=kind, class_names=class_names, params=params)
        if values:
            om.load_values(model=created.contract, values=list(values), owner=roles.oracle)
        if seal:
            om.seal(model=created.contract, owner=roles.oracle, trainer=trainer)
        return created.contract

    return create
