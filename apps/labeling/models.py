"""What labelers did. A label is recorded as pending the moment the labeler gives it and confirmed
when the indexer sees its LabelsSubmitted event, so nothing is lost while the chain is slow.

Labels travel in batches: one wallet transaction (`submitLabels`) or one EIP-712 signature that the
platform relays (`submitLabelsFor`). The server accepts a batch only within each item's remaining
capacity (Item.labels_taken < labels_needed, leases included), so a batch it approves never trips
the contract's per-item cap.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.jobs.models import Item, Job


class LabelBatch(models.Model):
    class Mode(models.TextChoices):
        WALLET = "wallet", "Sent from the labeler's wallet"
        RELAYED = "relayed", "Signed (EIP-712) and relayed by the platform"

    class Status(models.TextChoices):
        PENDING = "pending", "Recorded, not sent yet"
        SUBMITTED = "submitted", "Transaction sent"
        CONFIRMED = "confirmed", "On chain (indexed)"
        FAILED = "failed", "Rejected or reverted; its items were released"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="label_batches")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="label_batches")
    mode = models.CharField(max_length=8, choices=Mode.choices)
    packed = models.CharField(
        max_length=20000, help_text="0x hex of the contract's packed batch: (itemId << 4 | label) u32 each"
    )
    nonce = models.BigIntegerField(null=True, blank=True, help_text="EIP-712 nonce of a relayed batch")
    signature = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    tx_hash = models.CharField(max_length=66, blank=True, db_index=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Sending a relayed batch (apps/labeling/sending.py): the worker claims it by setting
    # sending_since with a conditional UPDATE, counts the attempt, and records when the transaction went out.
    send_attempts = models.PositiveSmallIntegerField(default=0)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job", "worker", "nonce"], condition=Q(nonce__isnull=False), name="one_batch_per_relay_nonce"
            )
        ]

    @property
    def rejected_labels(self):
        """Its labels on chain that the server's rules do not count (services.ChainLabelRules)."""
        return self.labels.filter(status=Label.Status.REJECTED).order_by("pk")


# The longest answer time a page may report (a day): answer_ms is a 32-bit column.
MAX_ANSWER_MS = 24 * 3600 * 1000


class Label(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed on chain"
        FAILED = "failed", "Failed"
        # On chain, but against the server's rules (services.ChainLabelRules): never counted or paid.
        REJECTED = "rejected", "On chain, rejected by the server's rules"

    batch = models.ForeignKey(LabelBatch, on_delete=models.CASCADE, related_name="labels")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="labels")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="labels")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="labels")
    label_index = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    answer_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="time the labeler took, as its page measured"
    )
    rejection = models.CharField(max_length=200, blank=True, help_text="why a rejected label does not count")
    created_at = models.DateTimeField(auto_now_add=True)
    # Provenance, set on confirmation from the indexed event.
    tx_hash = models.CharField(max_length=66, blank=True)
    block_number = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            # One live label per worker and item; a failed one frees the slot for a retry. A rejected
            # one is a vote on chain (the contract refuses a second), so it keeps the slot.
            models.UniqueConstraint(
                fields=["item", "worker"], condition=~Q(status="failed"), name="one_live_label_per_worker_item"
            )
        ]
        indexes = [models.Index(fields=["job", "status"], name="label_job_status")]


class ItemLease(models.Model):
    """A short hold on one of an item's remaining label slots while a labeler looks at it, so two
    labelers don't both get an item that needs one more label. Counted in Item.labels_taken."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="leases")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leases")
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "worker"], name="one_lease_per_worker_item")]


class Qualification(models.Model):
    """A labeler's qualification round in a job: the gold items it was given, its answers, and the
    outcome. Passing admits its wallet on chain (`admitted_tx`); a failed round may be retried after
    the job's qualification_wait_seconds, up to qualification_max_attempts rounds, with fresh items
    when the job has enough gold. A pass in another job of the same requester and domain is reused
    (`reused_from`, no round taken). Lives here rather than in apps/quality because it gates serving."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="qualifications")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualifications")
    item_ids = models.JSONField(default=list, help_text="gold items of the current attempt, in order")
    answers = models.JSONField(default=dict, help_text="item id (as a string) -> class index answered")
    revealed_ids = models.JSONField(
        default=list, help_text="gold items of every round so far (their answers were shown): never its honeypots"
    )
    passed = models.BooleanField(null=True, help_text="null while the current attempt is running")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    admitted_tx = models.CharField(
        max_length=66, blank=True, help_text="admitWorkers transaction; empty = not on chain yet"
    )
    score = models.FloatField(null=True, blank=True, help_text="mean per-item score of the last finished round")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="when the last round was decided")
    reused_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="the pass in another job of the same domain this admission reuses",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "worker"], name="one_qualification_per_worker_job")]

    @property
    def admitted(self) -> bool:
        return bool(self.passed and self.admitted_tx)


class Pause(models.Model):
    """A labeler stopped in a job because its running score on honeypots (gold items served inside
    normal work) fell below the job's qualification bar. While `lifted_at` is empty, next-items and
    label batches are refused. The requester may lift it; the running score then restarts from the
    lift, so the labeler gets honeypot_min fresh honeypots before it can be paused again."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="pauses")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pauses")
    created_at = models.DateTimeField(auto_now_add=True)
    honeypots = models.PositiveIntegerField(help_text="honeypots answered in the window that paused it")
    score = models.FloatField(help_text="mean honeypot score in that window")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job", "worker"], condition=Q(lifted_at__isnull=True), name="one_active_pause_per_worker_job"
            )
        ]
