"""A collaborative text model through the API: the addData call and its words, the contributions
list with Refund / Take calls when due, sent from real keys on anvil."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.chain import onchain_models as om
from apps.chain.client import get_web3
from apps.models.encoders import encode_text
from apps.models.services import create_collaborative_model
from tests.factories import make_user
from tests.models.conftest import advance

BASE = 10**15
WAIT = 600
POSITIVE, NEGATIVE = "good great", "awful dreadful"


@pytest.fixture
def collaborative(deployed, roles):
    weights = [0] * 65
    for f in encode_text(POSITIVE, num_features=64):
        weights[f] = 3 * om.SCALE
    for f in encode_text(NEGATIVE, num_features=64):
        weights[f] = -3 * om.SCALE
    return create_collaborative_model(
        publisher=make_user(roles.oracle.address),
        name="Sentiment",
        encoder="text",
        class_names=["negative", "positive"],
        num_features=64,
        weights=weights,
        pricing=om.crowd_pricing(BASE),
        refund_wait=WAIT,
        creator_wait=2 * WAIT,
        anyone_wait=3 * WAIT,
    )


def send_call(w3, account, call, value=0):
    tx = {
        "to": call["to"],
        "data": call["data"],
        "value": value,
        "from": account.address,
        "nonce": w3.eth.get_transaction_count(account.address),
        "chainId": w3.eth.chain_id,
        "gasPrice": w3.eth.gas_price,
    }
    tx["gas"] = call["gas"]
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
    )
    assert receipt["status"] == 1


def test_contribute_then_refund_and_take_through_the_api(collaborative, roles, w3):
    alice, mallory = roles.workers[:2]
    api = f"/api/models/{collaborative.pk}"
    call = Client().post(f"{api}/contribute", {"text": POSITIVE, "label": 1, "address": alice.address}).json()
    assert call["to"] == collaborative.trainer_address and int(call["value"]) >= BASE
    assert "positive" in call["summary"] and "wei" in call["summary"] and f"{WAIT} s" in call["summary"]
    send_call(w3, alice, call, int(call["value"]))
    bad = Client().post(f"{api}/contribute", {"text": NEGATIVE, "label": 1, "address": mallory.address}).json()
    send_call(w3, mallory, bad, int(bad["value"]))

    rows = Client().get(f"{api}/contributions", {"address": alice.address}).json()
    assert [(r["id"], r["own"], r["call"]) for r in rows] == [(0, True, None), (1, False, None)]
    assert rows[0]["seconds_left"] > 0 and rows[0]["model_agrees"] and not rows[1]["model_agrees"]
    advance(w3, WAIT)
    rows = Client().get(f"{api}/contributions", {"address": alice.address}).json()
    assert rows[0]["call"]["action"] == "refund" and rows[1]["call"] is None  # no good data yet to take with
    send_call(w3, alice, rows[0]["call"])
    rows = Client().get(f"{api}/contributions", {"address": alice.address}).json()
    assert [r["id"] for r in rows] == [1] and rows[0]["call"]["action"] == "report"
    trainer = om.trainer_handle(address=collaborative.trainer_address, w3=w3)
    before = trainer.functions.remainingDeposit(1).call()
    send_call(w3, alice, rows[0]["call"])
    assert trainer.functions.remainingDeposit(1).call() < before
    assert get_web3().eth.chain_id == w3.eth.chain_id


def test_contribute_refuses_bad_input_and_read_only_models(collaborative, roles):
    api = f"/api/models/{collaborative.pk}"
    who = roles.workers[0].address
    assert Client().post(f"{api}/contribute", {"text": POSITIVE, "label": 2, "address": who}).status_code == 400
    assert Client().post(f"{api}/contribute", {"label": 1, "address": who}).status_code == 400
    assert Client().post(f"{api}/contribute", {"text": POSITIVE, "label": 1}).status_code == 400  # no wallet
    no_word = Client().post(f"{api}/contribute", {"text": "a !", "label": 1, "address": who})
    assert no_word.status_code == 400 and "no word" in no_word.json()["detail"]
    assert Client().get(f"{api}/contributions", {"address": "nope"}).status_code == 400
    collaborative.trainer_address = ""
    collaborative.save()
    refused = Client().post(f"{api}/contribute", {"text": POSITIVE, "label": 1, "address": who})
    assert refused.status_code == 409 and "read-only" in refused.json()["detail"]
