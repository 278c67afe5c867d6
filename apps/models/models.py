"""Models published on chain: where each lives, what it is, and where it came from."""

from django.conf import settings
from django.db import models

from apps.jobs.models import Job


class OnchainModel(models.Model):
    class Kind(models.TextChoices):
        PERCEPTRON = "perceptron", "Perceptron"
        NEAREST_CENTROID = "nearest-centroid", "Nearest centroid"
        NAIVE_BAYES = "naive-bayes", "Multinomial naive Bayes"

    class Encoder(models.TextChoices):
        IMAGE = "image", "Image: learner pixels + HOG, fixed point"
        TEXT = "text", "Text: hashed word and bigram counts"

    chain_id = models.PositiveBigIntegerField()
    address = models.CharField(max_length=42)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    encoder = models.CharField(max_length=10, choices=Encoder.choices)
    name = models.CharField(max_length=200)
    class_names = models.JSONField(default=list)
    num_features = models.PositiveIntegerField()
    # A collaborative model's CollaborativeTrainer (blank: a read-only published model).
    trainer_address = models.CharField(max_length=42, blank=True)
    publisher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="published_models")
    # A job's model: which job, which learner version, its settlement report, and the two accuracies.
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="onchain_models")
    model_version = models.PositiveIntegerField(null=True, blank=True)
    settlement_report_cid = models.CharField(max_length=100, blank=True)
    offchain_accuracy = models.FloatField(null=True, blank=True, help_text="the learner on the job's gold")
    onchain_accuracy = models.FloatField(null=True, blank=True, help_text="the contract on the job's gold")
    gold_items = models.PositiveIntegerField(default=0)
    deploy_gas = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "address"], name="one_record_per_onchain_model"),
            models.UniqueConstraint(fields=["job", "model_version"], name="one_publication_per_model_version"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name} at {self.address}"

    @property
    def quantisation_loss_points(self) -> float | None:
        if self.offchain_accuracy is None or self.onchain_accuracy is None:
            return None
        return round(100 * (self.offchain_accuracy - self.onchain_accuracy), 4)
