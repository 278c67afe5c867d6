"""What the learner leaves behind: one ModelVersion per retrain (the learning curve) and the
per-job state that keeps retrains coalesced."""

from django.db import models

from apps.jobs.models import Job


class ModelVersion(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="model_versions")
    version = models.PositiveIntegerField()
    trained_at = models.DateTimeField(auto_now_add=True)
    labels_used = models.PositiveIntegerField(help_text="confirmed labels of the job when it was trained")
    items_used = models.PositiveIntegerField(help_text="items with an aggregated label it was trained on")
    # None when the job has no gold items: there is nothing to hold out.
    heldout_accuracy = models.FloatField(null=True, blank=True, help_text="accuracy on the gold items")
    strategy = models.CharField(max_length=40)
    artifact_cid = models.CharField(max_length=100, help_text="joblib of the fitted estimator")

    class Meta:
        ordering = ["job", "version"]
        constraints = [models.UniqueConstraint(fields=["job", "version"], name="one_model_version_number_per_job")]

    def __str__(self) -> str:
        return f"model v{self.version} of job {self.job_id}"


class LearnerState(models.Model):
    """The retrain lease of a job: a retrain runs only while holding it, so at most one is in flight
    per job; `rerun` records triggers that arrived meanwhile. The lease expires, so a worker killed
    half-way delays the next retrain by at most the lease and never blocks it."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="learner_state")
    leased_until = models.DateTimeField(null=True, blank=True)
    rerun = models.BooleanField(default=False)
    # Confirmed labels when the queue was last ranked (None: never, not even the cold start).
    ranked_at_labels = models.PositiveIntegerField(null=True, blank=True)
