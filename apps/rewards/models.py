"""A job's settlement as a resumable state machine, and the payout leaves workers claim."""

from django.conf import settings
from django.db import models

from apps.jobs.models import Job
from apps.lib.fields import TokenAmountField


class Settlement(models.Model):
    class Step(models.TextChoices):
        # Each step is entered by a conditional UPDATE from the one before, after its effect is
        # durable (stored blob, mined transaction), so a rerun resumes at the first step not done.
        STARTED = "started", "Started"
        WAITING = "waiting", "Waiting for label batches sent before the stop to land"
        HELD = "held", "Waiting for review of flagged workers"
        SCREENED = "screened", "Workers screened, every flag it would pay reviewed"
        COMPUTED = "computed", "Truth, payouts and report computed and stored"
        TRUTH_POSTED = "truth_posted", "Truth on chain"
        ROOT_POSTED = "root_posted", "Payout root on chain"
        DONE = "done", "Job settled"

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="settlement")
    step = models.CharField(max_length=16, choices=Step.choices, default=Step.STARTED)
    method = models.CharField(max_length=40, blank=True)
    report_cid = models.CharField(max_length=100, blank=True)
    root = models.CharField(max_length=66, blank=True)
    total = TokenAmountField(null=True, blank=True)
    truth_tx = models.CharField(max_length=66, blank=True, help_text="last truth transaction sent")
    root_tx = models.CharField(max_length=66, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)


class Payout(models.Model):
    """One leaf of the payout tree; the proof is stored so the claim API answers without rebuilding."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="payouts")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts")
    index = models.PositiveIntegerField()
    amount = TokenAmountField()
    proof = models.JSONField(default=list, help_text="0x hex sibling hashes")
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_tx = models.CharField(max_length=66, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="one_payout_per_leaf"),
            models.UniqueConstraint(fields=["job", "worker"], name="one_payout_per_worker"),
        ]
