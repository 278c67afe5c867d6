"""Run as a separate process by test_sender_nonce_lock: send `count` approvals with the oracle key,
print how many were mined and the errors of the others."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdal_site.settings")
django.setup()

from apps.chain.client import get_web3, oracle_account, send  # noqa: E402
from apps.chain.registry import contract_at  # noqa: E402

token_address, spender, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
token = contract_at("CrowdToken", token_address, w3=get_web3())
mined, errors = 0, []
for amount in range(1, count + 1):
    try:
        send(token.functions.approve(spender, amount), sender=oracle_account())
        mined += 1
    except Exception as error:  # reported to the test, which asserts there are none
        errors.append(f"{type(error).__name__}: {error}"[:200])
print(json.dumps({"mined": mined, "errors": errors}))
