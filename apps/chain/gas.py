"""Gas limits for relayed label and box batches, from the worst case of the batch rather than an
estimate.

An estimate is taken against the state of the moment; between it and inclusion the batch's items
change (another labeler's vote lands first, a reorganisation takes one back), and the clone forwards
only 63/64 of what is left to the implementation (EIP-150), so a limit that was exact when
estimated runs out of gas in the implementation. The limit here assumes every item gains its first
vote (a fresh storage word, cold) behind the most votes the double-vote scan can read, and the
worker's first relayed nonce; tests/contracts/test_relayed_gas.py checks it covers that worst case
on anvil with the margin to spare.
Unused gas is not charged, so the margin costs nothing but block space reserved.
"""

from __future__ import annotations

# Transaction base, ECDSA recovery, the EIP-712 digest, the nonce word written for the first time,
# the clone's delegatecall and the event's fixed part (measured worst: about 42,000).
BATCH_FIXED_GAS = 100_000
# Per label: a cold storage word set from zero (22,100 + 2,100), the scan of up to MAX_VOTES earlier
# votes, unpacking and hashing, 4 calldata bytes at the EIP-7623 floor and 4 bytes of log data
# (measured worst: about 23,000; tests/contracts/test_relayed_gas.py).
LABEL_GAS = 30_000
# Per box commitment: 32 bytes of calldata at the floor, of log data, and its share of the hash.
COMMITMENT_GAS = 2_500
# What the clone keeps back of the gas left at its delegatecall (EIP-150: it forwards all but 1/64).
FORWARDED = 63 / 64
MARGIN = 1.2


def relayed_batch_gas(*, labels: int, commitments: int = 0) -> int:
    """The gas limit to send a relayed batch of `labels` labels (and box commitments) with."""
    worst = BATCH_FIXED_GAS + labels * LABEL_GAS + commitments * COMMITMENT_GAS
    return int(worst / FORWARDED * MARGIN)
