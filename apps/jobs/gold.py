"""How a job's gold splits into qualification gold and honeypot gold. Pure, so the migration that
split the gold of jobs created before the split shares the rule.

The sets are disjoint: a qualification round shows the answers of its items as feedback, so those
answers are known to whoever took it, and a honeypot must be an item nobody was shown. A round
draws only qualification gold and normal work serves only honeypot gold, so wallets that pool what
their rounds revealed learn nothing about the honeypots that score them.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence


def qualification_count(*, gold: int, round_size: int, max_attempts: int) -> int:
    """Gold items kept for qualification: enough for every allowed round to be fresh
    (round_size × max_attempts) as long as that leaves at least half the gold for honeypots, and
    never less than one full round (a job with little gold then has few honeypots)."""
    return min(gold, max(round_size, min(round_size * max_attempts, gold // 2)))


def split_gold_ids(
    gold_ids: Sequence[int], *, round_size: int, max_attempts: int, revealed: Collection[int] = ()
) -> tuple[list[int], list[int]]:
    """(qualification ids, honeypot ids): every item already `revealed` in a round is qualification
    gold (its answer is out), the rest of the qualification set is drawn at random."""
    wanted = qualification_count(gold=len(gold_ids), round_size=round_size, max_attempts=max_attempts)
    shown = [i for i in gold_ids if i in revealed]
    hidden = [i for i in gold_ids if i not in revealed]
    random.SystemRandom().shuffle(hidden)
    drawn = max(wanted - len(shown), 0)
    return sorted(shown + hidden[:drawn]), sorted(hidden[drawn:])
