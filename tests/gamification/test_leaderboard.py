"""The leaderboard: by points, ties by who came first, weekly or all time, shortened addresses, and
anonymous-mode labels never counted per wallet."""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_user
from tests.gamification.builders import labelled

pytestmark = pytest.mark.django_db

ALICE, BOB, CAROL, DAVE = ("0x" + c * 40 for c in "abcd")


@pytest.fixture
def crowd():
    alice, bob, carol, dave = (make_user(a) for a in (ALICE, BOB, CAROL, DAVE))
    labelled(alice, plain=3, gold_right=2)  # 50 + 10 = 60, this week
    labelled(bob, plain=2, days_ago=10)  # 20 long ago ...
    labelled(bob, plain=4)  # ... + 40 this week
    labelled(carol, plain=6)  # 60, a tie with alice who joined first
    labelled(dave, plain=50, mode="anon")  # not his wallet's work on any board


def board(period: str) -> list[tuple[int, str, int]]:
    response = APIClient().get("/api/gamification/leaderboard", {"period": period})  # public
    assert response.status_code == 200
    return [(row["rank"], row["worker"], row["points"]) for row in response.json()]


def test_all_time_orders_by_points_then_by_who_came_first(crowd):
    assert board("all") == [(1, "0xaaaa…aaaa", 60), (2, "0xbbbb…bbbb", 60), (3, "0xcccc…cccc", 60)]


def test_weekly_counts_only_the_last_seven_days(crowd):
    assert board("week") == [(1, "0xaaaa…aaaa", 60), (2, "0xcccc…cccc", 60), (3, "0xbbbb…bbbb", 40)]


def test_a_bad_period_is_refused():
    assert APIClient().get("/api/gamification/leaderboard", {"period": "year"}).status_code == 400


def test_the_page_shows_both_boards_without_full_addresses(crowd, client):
    page = client.get("/leaderboard").content.decode()
    assert 'data-leaderboard="week"' in page and 'data-leaderboard="all"' in page
    assert "0xaaaa…aaaa" in page and ALICE not in page and "0xdddd" not in page
