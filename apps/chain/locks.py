"""Locks shared by every process of a scaled-out deployment. On PostgreSQL a session advisory lock
(released even if the process dies); SQLite is the embedded single-process stack, where the callers'
own in-process guards are enough, so the lock is a no-op there."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# First keys of the advisory locks (the second key says which chain or account).
INDEXER_PASS = 0x1DE8
SENDER_NONCE = 0x5E4D


@contextmanager
def advisory_lock(namespace: int, key: int, *, wait: bool) -> Iterator[bool]:
    """Hold the lock (namespace, key % 2**31). wait=False: yields False at once when another
    session holds it."""
    if connection.vendor != "postgresql":
        yield True
        return
    args = (namespace, key % 2**31)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s), true" if wait else "SELECT pg_try_advisory_lock(%s, %s)", args)
        acquired = cursor.fetchone()[-1]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", args)
