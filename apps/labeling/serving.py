"""Next-item serving: which items a labeler labels next, each held by a short lease on one of the
item's label slots (the capacity invariant is in services.py's docstring). On PostgreSQL a call is
one prepared statement; SQLite (the embedded stack) runs the same steps with the ORM."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from apps.jobs.models import GoldRole, Item, Job
from apps.labeling.models import ItemLease, Label
from apps.labeling.services import FAILED, pending_room, refuse_beyond_pending_room, require_unlocked, take_slot


def _soft_state_commit() -> None:
    """Leases are soft state: on PostgreSQL their transactions don't wait for the WAL flush. A crash
    may lose the last few, atomically (lease and slot together), which only means a labeler asks
    again; labels and batches keep fully durable commits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def release_expired_leases(*, now=None) -> int:
    """Give expired leases' slots back. Idempotent and safe to run concurrently: a lease's slot is
    returned only by the call whose DELETE removed it."""
    now = now or timezone.now()
    released = 0
    if not ItemLease.objects.filter(expires_at__lt=now).exists():  # the usual case, one indexed probe
        return 0
    with transaction.atomic():
        _soft_state_commit()
        expired = list(
            ItemLease.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lt=now)
            .values_list("pk", "item_id")[:1000]
        )
        per_item = Counter(item_id for _, item_id in expired)
        if expired:
            ItemLease.objects.filter(pk__in=[pk for pk, _ in expired]).delete()
        for item_id, count in per_item.items():
            Item.objects.filter(pk=item_id).update(labels_taken=F("labels_taken") - count)
            released += count
    return released


def next_item_for(*, job: Job, worker) -> Item | None:
    items = next_items_for(job=job, worker=worker, count=1)
    return items[0] if items else None


def next_items_for(
    *, job: Job, worker, count: int, expired: bool | None = None, pending: int | None = None
) -> list[Item]:
    """Up to `count` items for the worker to label next, each held by a lease: its live leases first
    (a reload must not take more slots), then the best-ranked items it has not labeled, with a gold
    honeypot in about LABELING_HONEYPOT_RATE of new picks. `expired=False`: the caller has just
    probed that no lease has expired (selectors.job_for_serving), so the sweep is skipped; `pending`:
    the worker's pending labels, when the caller counted them. Served and pending items together
    stay within LABELING_MAX_PENDING_ITEMS; at the limit the call refuses, saying why."""
    require_unlocked(job=job, worker=worker)
    room = pending_room(job=job, worker=worker, pending=pending)
    refuse_beyond_pending_room(room=room, wanted=1)
    count = min(count, room)
    if expired is not False:
        release_expired_leases()
    # One draw per possible new pick: the k-th new item is a honeypot when draws[k] is true.
    draws = [random.random() < settings.LABELING_HONEYPOT_RATE for _ in range(count)]
    serve = _serve_in_one_statement if connection.vendor == "postgresql" else _serve_step_by_step
    held, gold, plain = serve(job=job, worker=worker, count=count, draws=draws, now=timezone.now())
    for honeypot in gold:  # at a random place, so its position does not give it away
        plain.insert(random.randint(0, len(plain)), honeypot)
    return (held + plain)[:count]


ITEM_FIELDS = [field.attname for field in Item._meta.concrete_fields]
Served = tuple[list[Item], list[Item], list[Item]]  # held, new gold, new non-gold; each best-ranked first


# PostgreSQL: the whole call in one statement (one round trip, autocommit): the worker's live
# leases, then the picks. A pick locks its rows (SKIP LOCKED, so concurrent labelers pass over each
# other's), the UPDATE keeps the conditional `labels_taken < labels_needed`, and the INSERT leases
# exactly the rows whose slot was taken. Gold picks are honeypot gold only, never the qualification
# gold whose answers rounds reveal (apps.jobs.gold). set_config(..., true) is SET LOCAL synchronous_commit for
# this statement's transaction (leases are soft state, see _soft_state_commit).
_SERVE_SQL = """
WITH soft AS (SELECT set_config('synchronous_commit', 'off', true) AS v),
held AS (
    SELECT i.* FROM jobs_item i JOIN labeling_itemlease e ON e.item_id = i.id
    WHERE e.worker_id = %(worker)s AND e.expires_at >= %(now)s AND i.job_id = %(job)s
),
wanted AS (SELECT GREATEST(%(count)s - (SELECT count(*) FROM held), 0) AS n),
honeypots AS (
    SELECT count(*) AS n FROM unnest(%(draws)s::boolean[]) WITH ORDINALITY AS d(gold, k)
    WHERE d.gold AND d.k <= (SELECT n FROM wanted)
),
gold AS (
    SELECT i.id FROM jobs_item i
    WHERE i.job_id = %(job)s AND i.is_gold AND i.gold_role = %(honeypot)s AND i.labels_taken < i.labels_needed
      AND NOT EXISTS (SELECT 1 FROM labeling_label l
                      WHERE l.item_id = i.id AND l.worker_id = %(worker)s AND l.status <> %(failed)s)
      AND NOT EXISTS (SELECT 1 FROM labeling_itemlease e WHERE e.item_id = i.id AND e.worker_id = %(worker)s)
      AND (SELECT v FROM soft) IS NOT NULL
    ORDER BY i.priority DESC, i.id
    LIMIT (SELECT n FROM honeypots)
    FOR UPDATE OF i SKIP LOCKED
),
plain AS (
    SELECT i.id FROM jobs_item i
    WHERE i.job_id = %(job)s AND NOT i.is_gold AND i.labels_taken < i.labels_needed
      AND NOT EXISTS (SELECT 1 FROM labeling_label l
                      WHERE l.item_id = i.id AND l.worker_id = %(worker)s AND l.status <> %(failed)s)
      AND NOT EXISTS (SELECT 1 FROM labeling_itemlease e WHERE e.item_id = i.id AND e.worker_id = %(worker)s)
      AND (SELECT v FROM soft) IS NOT NULL
    ORDER BY i.priority DESC, i.id
    LIMIT (SELECT n FROM wanted) - (SELECT count(*) FROM gold)
    FOR UPDATE OF i SKIP LOCKED
),
taken AS (
    UPDATE jobs_item i SET labels_taken = i.labels_taken + 1
    -- = ANY(ARRAY(...)), not a join: the planner cannot know the LIMITs above and would hash-join
    -- against a scan of the whole pool instead of looking the few picked rows up by key.
    WHERE i.id = ANY(ARRAY(SELECT id FROM gold UNION ALL SELECT id FROM plain))
      AND i.labels_taken < i.labels_needed
    RETURNING i.*
),
leased AS (
    INSERT INTO labeling_itemlease (item_id, worker_id, expires_at)
    SELECT id, %(worker)s, %(expires_at)s FROM taken
)
SELECT 'held' AS serving, * FROM held
UNION ALL
SELECT CASE WHEN is_gold THEN 'gold' ELSE 'plain' END, * FROM taken
ORDER BY priority DESC, id
"""


def _serve_in_one_statement(*, job: Job, worker, count: int, draws: list[bool], now) -> Served:
    params = {
        "job": job.pk,
        "worker": worker.pk,
        "count": count,
        "draws": draws,
        "now": now,
        "failed": str(FAILED),
        "honeypot": str(GoldRole.HONEYPOT),
        "expires_at": now + timedelta(seconds=settings.LABELING_LEASE_SECONDS),
    }
    served: dict[str, list[Item]] = {"held": [], "gold": [], "plain": []}
    connection.ensure_connection()
    # A server-side-binding cursor, so PostgreSQL keeps the statement prepared on the connection:
    # planning this statement takes ~3 ms, longer than running it.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_SERVE_SQL, params, prepare=True)
        position = {column.name: n for n, column in enumerate(cursor.description)}
        columns = [position[field.column] for field in Item._meta.concrete_fields]  # by name, not table order
        for row in cursor:
            served[row[0]].append(Item.from_db(connection.alias, ITEM_FIELDS, [row[n] for n in columns]))
    return served["held"], served["gold"], served["plain"]


def _serve_step_by_step(*, job: Job, worker, count: int, draws: list[bool], now) -> Served:
    """The same as _SERVE_SQL with the ORM, for SQLite (the embedded stack: one writer at a time)."""
    held = list(
        Item.objects.filter(leases__worker=worker, leases__expires_at__gte=now, job=job).order_by("-priority", "id")
    )
    wanted = max(count - len(held), 0)
    gold = _lease(job=job, worker=worker, gold=True, count=sum(draws[:wanted]), now=now)
    plain = _lease(job=job, worker=worker, gold=False, count=wanted - len(gold), now=now)
    return held, gold, plain


def _lease(*, job: Job, worker, gold: bool, count: int, now) -> list[Item]:
    if count <= 0:
        return []
    with transaction.atomic():
        _soft_state_commit()
        # skip_locked: concurrent labelers pass over each other's rows instead of queueing on the top item.
        candidates = list(
            Item.objects.select_for_update(skip_locked=True)
            .filter(job=job, is_gold=gold, labels_taken__lt=F("labels_needed"))
            .filter(gold_role=GoldRole.HONEYPOT if gold else "")
            .exclude(Exists(Label.objects.filter(item=OuterRef("pk"), worker=worker).exclude(status=FAILED)))
            .exclude(Exists(ItemLease.objects.filter(item=OuterRef("pk"), worker=worker)))
            .order_by("-priority", "id")[:count]
        )
        taken = [item for item in candidates if take_slot(item_id=item.pk)]
        for item in taken:  # as the row now is (the statement on PostgreSQL returns it so)
            item.labels_taken += 1
        expires_at = now + timedelta(seconds=settings.LABELING_LEASE_SECONDS)
        ItemLease.objects.bulk_create(ItemLease(item=item, worker=worker, expires_at=expires_at) for item in taken)
    return taken
