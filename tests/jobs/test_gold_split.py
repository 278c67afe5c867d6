"""Qualification gold and honeypot gold are disjoint (apps.jobs.gold): every round may be fresh while
at least half the gold is left for honeypots, and never less than one full round."""

import pytest

from apps.jobs.gold import qualification_count, split_gold_ids
from apps.jobs.models import GoldRole, Item
from apps.jobs.services import split_gold
from tests.factories import make_job, make_user


@pytest.mark.parametrize(
    ("gold", "round_size", "attempts", "expected"),
    [(40, 5, 3, 15), (20, 5, 3, 10), (8, 4, 3, 4), (6, 4, 3, 4), (3, 4, 3, 3), (0, 5, 3, 0)],
)
def test_qualification_count(gold, round_size, attempts, expected):
    assert qualification_count(gold=gold, round_size=round_size, max_attempts=attempts) == expected


def test_items_already_shown_stay_qualification_gold():
    qualification, honeypots = split_gold_ids(list(range(20)), round_size=2, max_attempts=2, revealed={3, 7, 9, 11, 13})
    assert {3, 7, 9, 11, 13} <= set(qualification) and len(qualification) == 5
    assert not set(qualification) & set(honeypots) and len(honeypots) == 15


def test_the_split_is_made_once(db):
    job = make_job(requester=make_user("0x" + "11" * 20), num_items=30, gold={i: 0 for i in range(20)})
    roles = dict(Item.objects.filter(job=job, is_gold=True).values_list("pk", "gold_role"))
    assert sorted(roles.values()).count(GoldRole.QUALIFICATION) == 10  # min(5 × 3, 20 // 2)
    split_gold(job=job)
    assert dict(Item.objects.filter(job=job, is_gold=True).values_list("pk", "gold_role")) == roles
    assert not Item.objects.filter(job=job, is_gold=False).exclude(gold_role="").exists()
