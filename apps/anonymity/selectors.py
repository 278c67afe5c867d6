"""Reads of anonymous job mode: the group as browsers rebuild it, items served without a session,
label status by nullifier, and the counts dashboards and settlement use."""

from __future__ import annotations

import hmac
import random

from django.db.models import F
from django.urls import reverse
from django.utils.crypto import salted_hmac

from apps.anonymity.models import AnonymousLabel, AnonymousPool, GroupJoin, GroupMember
from apps.chain.client import get_web3
from apps.chain.registry import contract, contract_address
from apps.jobs.models import Item, Job

# How many open items one anonymous request may list: the page skips the ones its identity labelled
# (it keeps that list itself; telling the server would show which items one person labelled).
MAX_ANONYMOUS_ITEMS = 100


def group_token(job: Job) -> str:
    """The job's item-reading key, the same for every member: it keeps the items from strangers
    without telling the server which member reads them."""
    return salted_hmac("crowdal.anonymity.group-token", str(job.pk), algorithm="sha256").hexdigest()


def token_valid(*, job: Job, token: str) -> bool:
    return hmac.compare_digest(group_token(job), token or "")


def join_of(*, job: Job, worker) -> GroupJoin | None:
    return GroupJoin.objects.filter(job=job, worker=worker).first()


def group_commitments(*, job: Job) -> list[str]:
    """The group's leaves in order, as the chain's MembersAdded events put them."""
    return list(GroupMember.objects.filter(job=job).values_list("commitment", flat=True))


def group_view(*, job: Job) -> dict:
    return {
        "job": job.instance_address,
        "chain_id": job.chain_id,
        "contract": contract_address("AnonymousLabels", w3=get_web3()),
        "status": job.status,
        "members": group_commitments(job=job),
    }


def open_items(*, job: Job, count: int) -> list[Item]:
    """Items that still need labels, the learner's pick first. Gold items are among them, each at a
    random place (the learner never ranks them, so their rank would point them out): a list without
    them would name the gold by its missing indexes. Labels on them are rejected (confirm_label)."""
    limit = min(count, MAX_ANONYMOUS_ITEMS)
    items = Item.objects.filter(job=job, labels_taken__lt=F("labels_needed"))
    listed = list(items.filter(is_gold=False).order_by("-priority", "index")[:limit])
    for gold in items.filter(is_gold=True).order_by("?")[:limit]:
        listed.insert(random.randint(0, len(listed)), gold)
    return listed[:limit]


def item_view(item: Item) -> dict:
    return {
        "id": item.pk,
        "index": item.index,
        "media_type": item.media_type,
        "content_url": reverse("anonymity-api:item-content", args=[item.pk]),
    }


def label_view(record: AnonymousLabel) -> dict:
    """A label as its member's page sees it. A rejected label (on a gold item) reads as confirmed,
    which it is on chain, until the job is settled: the rejection would point out the gold item."""
    status, error = record.status, record.error
    if status == AnonymousLabel.Status.REJECTED and record.job.status not in (Job.Status.SETTLED, Job.Status.REFUNDED):
        status, error = AnonymousLabel.Status.CONFIRMED, ""
    return {
        "nullifier": record.nullifier,
        "item": record.item.index,
        "status": status,
        "tx_hash": record.tx_hash,
        "error": error,
    }


def label_by_nullifier(*, job: Job, nullifier: str) -> AnonymousLabel | None:
    return AnonymousLabel.objects.filter(job=job, nullifier=nullifier).order_by("-pk").first()


def confirmed_labels(*, job: Job) -> list[tuple[int, int, str, str]]:
    """(item id, class index, nullifier, tx hash) of every confirmed anonymous label, in chain order."""
    rows = AnonymousLabel.objects.filter(job=job, status=AnonymousLabel.Status.CONFIRMED)
    return list(rows.order_by("block_number", "pk").values_list("item_id", "label_index", "nullifier", "tx_hash"))


def confirmed_count(*, job: Job) -> int:
    return AnonymousLabel.objects.filter(job=job, status=AnonymousLabel.Status.CONFIRMED).count()


def rewards_view(*, job: Job) -> dict | None:
    """What a member's page needs to find its correct labels and prove them: all public (the
    report lists the correct nullifiers, the chain holds the root). None before the pool is funded."""
    pool = AnonymousPool.objects.filter(job=job).exclude(pull_tx="").first()
    if pool is None:
        return None
    rewards = contract("AnonymousRewards", w3=get_web3())
    return {
        "contract": rewards.address,
        "job": job.instance_address,
        "job_scope": str(rewards.functions.jobScope(job.instance_address).call()),
        "root": pool.correct_root,
        "reward_per_label": str(pool.reward_per_label),
        "correct_nullifiers": pool.correct_nullifiers,
    }
