"""Bounding boxes kept off chain: what each labeler drew (the chain holds only its commitment and
box count, see geometry.box_commitment), the gold boxes of gold items, and each image's consensus.

Box lists are JSON arrays of {"class", "x", "y", "w", "h"} in image pixels, (x, y) the top-left
corner, in canonical order (geometry.canonical_boxes)."""

from django.conf import settings
from django.db import models

from apps.jobs.models import Item, Job
from apps.labeling.models import Label


class BoxAnnotation(models.Model):
    """One labeler's boxes on one image. Its vote on chain is its Label (label_index = min(box count,
    15)); `verified` says whether the commitment the chain recorded equals these boxes."""

    label = models.OneToOneField(Label, on_delete=models.CASCADE, related_name="box_annotation")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="box_annotations")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="box_annotations")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="box_annotations")
    boxes = models.JSONField(default=list)
    commitment = models.CharField(max_length=66, help_text="0x keccak256 of the canonical boxes, as signed")
    verified = models.BooleanField(
        null=True, help_text="null until indexed; false when the chain's commitment differs from these boxes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["job", "item"], name="box_annotation_job_item")]


class GoldBoxes(models.Model):
    """The known boxes of a gold image. Read only by scoring, consolidation and settlement."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="gold_boxes")
    boxes = models.JSONField(default=list)


class ConsensusBoxes(models.Model):
    """An image's consolidated boxes (each with "confidence" and "workers"), from its verified
    annotations; rewritten by settlement."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="consensus_boxes")
    boxes = models.JSONField(default=list)
    annotations = models.PositiveSmallIntegerField(help_text="verified annotations it was built from")
    updated_at = models.DateTimeField(auto_now=True)
