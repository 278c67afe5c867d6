"""Per-item truth as the worker last inferred it from the confirmed labels."""

from django.db import models

from apps.jobs.models import Item


class ItemAggregate(models.Model):
    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="aggregate")
    label = models.PositiveSmallIntegerField()
    confidence = models.FloatField(help_text="posterior probability of `label`")
    method = models.CharField(max_length=40)
    votes = models.PositiveSmallIntegerField(help_text="confirmed labels behind it")
    model_label = models.PositiveSmallIntegerField(null=True, blank=True, help_text="the learner's prediction")
    updated_at = models.DateTimeField(auto_now=True)
