from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.utils import timezone


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Django's clock (timezone.now: services, sessions, auth) frozen, moved only by `advance`."""
    frozen = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def wallet(dev_accounts):
    return dev_accounts[1]


@pytest.fixture
def session_request(rf):
    """A request with a saved (anonymous) session, for calling the sign-in services directly."""
    request = rf.post("/api/auth/verify")
    SessionMiddleware(lambda request: None).process_request(request)
    request.session.create()
    request.user = AnonymousUser()
    return request
