"""The development faucet mints test tokens on anvil, and nowhere else."""

import io
from unittest import mock

from django.core.management import call_command

from tests.jobs.conftest import signed_in


def test_faucet_mints_to_the_signed_in_wallet(deployed, roles):
    client = signed_in(roles.requester.address)
    before = deployed.token.functions.balanceOf(roles.requester.address).call()

    response = client.api.post("/api/jobs/faucet")

    assert response.status_code == 200, response.data
    after = deployed.token.functions.balanceOf(roles.requester.address).call()
    assert after - before == int(response.data["amount"]) > 0


def test_faucet_refuses_other_chains(deployed, roles, w3):
    client = signed_in(roles.requester.address)

    with mock.patch.object(type(w3.eth), "chain_id", new_callable=mock.PropertyMock, return_value=1):
        response = client.api.post("/api/jobs/faucet")

    assert response.status_code == 403
    assert "only on the local development chain" in response.data["detail"]


def test_faucet_command_mints_whole_tokens(deployed, roles):
    address = roles.stranger.address
    before = deployed.token.functions.balanceOf(address).call()

    call_command("faucet", address, "--tokens", "2.5", stdout=io.StringIO())

    assert deployed.token.functions.balanceOf(address).call() - before == 25 * 10**17
