"""Flagged workers awaiting a requester's (or staff's) decision, every decision taken, and the cache
of wallets' first funders read from chain."""

from django.conf import settings
from django.db import models

from apps.jobs.models import Job


class WorkerFlag(models.Model):
    """A worker of a job with at least one fired signal. While PENDING, the job's settlement holds
    before it computes payouts; REJECTED withholds the worker's pay (it stays in the escrow and
    returns to the requester with the refund); APPROVED pays it as usual."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved: paid"
        REJECTED = "rejected", "Rejected: pay withheld"
        CLEARED = "cleared", "Signals no longer fire"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="worker_flags")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="worker_flags")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    signals = models.JSONField(default=list, help_text="every signal computed for the worker, fired or not")
    holds_payout = models.BooleanField(
        default=True, help_text="the settlement would pay this worker; while pending, the settlement waits"
    )
    cluster = models.JSONField(default=list, help_text="addresses of the sybil cluster it belongs to, itself included")
    created_at = models.DateTimeField(auto_now_add=True)
    assessed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "worker"], name="one_flag_per_worker_job")]

    @property
    def reasons(self) -> list[str]:
        return [s["reason"] for s in self.signals if s["fired"]]


class ReviewDecision(models.Model):
    """The audit trail: one row per change of a flag's status, by whom (null: the assessment itself)."""

    flag = models.ForeignKey(WorkerFlag, on_delete=models.CASCADE, related_name="decisions")
    status = models.CharField(max_length=10, choices=WorkerFlag.Status.choices)
    note = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="review_decisions"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class WalletFunding(models.Model):
    """A wallet's first ETH and token funders on one chain, found by scanning up to `scanned_through`;
    a later scan starts after it for a wallet with a funder still unknown."""

    chain_id = models.BigIntegerField()
    address = models.CharField(max_length=42)
    scanned_through = models.BigIntegerField()
    eth_source = models.CharField(max_length=42, blank=True)
    eth_tx = models.CharField(max_length=66, blank=True)
    token_source = models.CharField(max_length=42, blank=True)
    token_tx = models.CharField(max_length=66, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain_id", "address"], name="one_funding_per_wallet")]

    def sources(self) -> dict[str, str]:
        return {kind: source for kind, source in (("eth", self.eth_source), ("token", self.token_source)) if source}
