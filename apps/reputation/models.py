"""Labelers' reputation per domain, from what settled jobs showed of them: their score on gold
items and their agreement with the final truth. A job's evidence is recorded once, at settlement;
a Reputation row is the sum of its domain's evidence (so recomputing it is always safe)."""

from django.conf import settings
from django.db import models

from apps.jobs.models import Job


class JobEvidence(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="reputation_evidence")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    domain = models.CharField(max_length=50, blank=True, help_text="the job's domain at settlement ('' = general)")
    gold_answered = models.PositiveIntegerField()
    gold_score = models.FloatField(help_text="sum of the per-item gold scores (classes: right answers)")
    truth_answered = models.PositiveIntegerField(help_text="labels on non-gold items")
    truth_agreed = models.PositiveIntegerField(help_text="of those, labels equal to the final truth")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "worker"], name="one_evidence_per_job_worker")]
        indexes = [models.Index(fields=["worker", "domain"], name="evidence_worker_domain")]


class Reputation(models.Model):
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reputations")
    domain = models.CharField(max_length=50, blank=True)
    gold_answered = models.PositiveIntegerField(default=0)
    gold_score = models.FloatField(default=0.0)
    truth_answered = models.PositiveIntegerField(default=0)
    truth_agreed = models.PositiveIntegerField(default=0)
    score = models.FloatField(help_text="reputation in (0, 1), see apps/reputation/formula.py")
    weight = models.PositiveSmallIntegerField(help_text="voting power 1..16 derived from the score")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["worker", "domain"], name="one_reputation_per_worker_domain")]
