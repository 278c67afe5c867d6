"""What labelers earned. WorkerProgress and Badge are a projection of the worker's confirmed labels,
recomputed from them (services.refresh_progress), never incremented: a confirmation delivered twice
changes nothing, and labels a reorganisation removes take their points and badges with them."""

from django.conf import settings
from django.db import models


class Tier(models.TextChoices):
    # In rank order: a job open to a tier is open to every tier above it.
    BRONZE = "bronze", "Bronze"
    SILVER = "silver", "Silver"
    GOLD = "gold", "Gold"


class WorkerProgress(models.Model):
    worker = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress")
    points = models.PositiveIntegerField(default=0)
    labels = models.PositiveIntegerField(default=0, help_text="confirmed labels given from the worker's wallet")
    agreeing = models.PositiveIntegerField(default=0, help_text="of those, agreeing with gold or final truth")
    gold_answers = models.PositiveIntegerField(default=0)
    gold_correct = models.PositiveIntegerField(default=0)
    best_streak = models.PositiveSmallIntegerField(default=0, help_text="most consecutive UTC days with a label")
    tier = models.CharField(max_length=8, choices=Tier.choices, default=Tier.BRONZE)
    updated_at = models.DateTimeField(auto_now=True)


class Badge(models.Model):
    class Kind(models.TextChoices):
        FIRST_LABEL = "first_label", "First label"
        LABELS_100 = "labels_100", "100 labels"
        LABELS_1000 = "labels_1000", "1,000 labels"
        SHARP_EYE = "sharp_eye", "95% gold accuracy"
        STREAK_7 = "streak_7", "7-day streak"
        STREAK_30 = "streak_30", "30-day streak"

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    earned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["worker", "kind"], name="one_badge_per_kind")]
