"""A job is what a requester pays for: a dataset of items, the classes to choose from, how many labels
each item gets, and the on-chain JobInstance that escrows its budget.

Token amounts are integers in the token's base units (uint256 on chain), held exactly by
apps.lib.fields.TokenAmountField on SQLite and PostgreSQL alike.
"""

from django.conf import settings
from django.db import models

from apps.lib.fields import TokenAmountField

# What a labeler reads before labeling: a page or two, not a document store (checked by the API).
INSTRUCTIONS_MAX_CHARS = 20_000


class Job(models.Model):
    class TaskType(models.TextChoices):
        IMAGE_CLASSIFICATION = "image_classification", "Image classification"
        TEXT_CLASSIFICATION = "text_classification", "Text classification"
        BOUNDING_BOX = "bounding_box", "Bounding boxes"  # apps/boxes; the chain gets a box count + commitment

    class StoppingRule(models.TextChoices):
        BUDGET = "budget", "When the budget is spent"
        TARGET_ACCURACY = "target_accuracy", "When held-out accuracy reaches the target"
        MANUAL = "manual", "When the requester stops it"

    class AggregationMethod(models.TextChoices):
        # Values are apps.quality.aggregation.METHODS keys.
        MAJORITY = "majority", "Majority vote"
        WEIGHTED_MAJORITY = "weighted_majority", "Reputation-weighted majority"
        DAWID_SKENE = "dawid_skene", "Dawid-Skene"
        ANCHORED_DAWID_SKENE = "anchored_dawid_skene", "Gold-anchored Dawid-Skene"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"  # items imported, not funded yet
        FUNDING = "funding", "Funding"  # createJob sent from the requester's wallet, not yet indexed
        LIVE = "live", "Live"  # JobCreated indexed: labelers can work
        STOPPED = "stopped", "Stopped"  # stopping rule fired; settlement pending
        SETTLED = "settled", "Settled"  # payout root on chain; workers can claim
        REFUNDED = "refunded", "Refunded"  # what was left went back to the requester

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    name = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)  # at most INSTRUCTIONS_MAX_CHARS, checked by the API
    task_type = models.CharField(max_length=32, choices=TaskType.choices)
    redundancy = models.PositiveSmallIntegerField(default=3)
    price_per_label = TokenAmountField()
    budget = TokenAmountField()
    deadline = models.DateTimeField()
    qualification_bar = models.FloatField(default=0.8, help_text="share of gold items a labeler must get right")
    qualification_size = models.PositiveSmallIntegerField(default=5, help_text="gold items in a qualification round")
    qualification_max_attempts = models.PositiveSmallIntegerField(default=3, help_text="rounds a labeler may take")
    qualification_wait_seconds = models.PositiveIntegerField(default=600, help_text="wait after a failed round")
    domain = models.SlugField(
        max_length=50,
        blank=True,
        help_text="qualification and reputation domain: a pass is reused by the requester's jobs of the domain",
    )
    min_tier = models.CharField(
        max_length=8,
        blank=True,
        default="",
        help_text="lowest labeler tier the job is open to: a value of apps.gamification.models.Tier (silver, gold),"
        " set through apps.gamification.services.set_min_tier; empty: open to every labeler",
    )
    honeypot_min = models.PositiveSmallIntegerField(
        default=5, help_text="honeypots answered before a gold score below the qualification bar pauses a labeler"
    )
    aggregation_method = models.CharField(
        max_length=32, choices=AggregationMethod.choices, default=AggregationMethod.ANCHORED_DAWID_SKENE
    )
    stopping_rule = models.CharField(max_length=20, choices=StoppingRule.choices, default=StoppingRule.BUDGET)
    target_accuracy = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    anonymous = models.BooleanField(
        default=False,
        help_text="labelers label through the job's Semaphore group and a relayer, unlinkable to their wallets",
    )
    manifest_cid = models.CharField(max_length=100, blank=True, help_text="content id of the dataset manifest")
    manifest_digest = models.CharField(
        max_length=66, blank=True, help_text="0x sha2-256 of the manifest's bytes: createJob's `manifest` argument"
    )
    # On-chain identity, filled when the indexer sees JobCreated.
    chain_id = models.BigIntegerField(null=True, blank=True)
    onchain_id = models.BigIntegerField(null=True, blank=True)
    instance_address = models.CharField(max_length=42, blank=True, db_index=True)
    created_tx = models.CharField(max_length=66, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk})"


class LabelClass(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="classes")
    index = models.PositiveSmallIntegerField(help_text="the label's value on chain")
    name = models.CharField(max_length=100)
    shortcut = models.CharField(max_length=1, help_text="the key that picks this class on the labeling page")

    class Meta:
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="one_class_per_index"),
            models.UniqueConstraint(fields=["job", "name"], name="class_names_unique_in_job"),
        ]

    def __str__(self) -> str:
        return self.name


class GoldRole(models.TextChoices):
    """What a gold item is used for; the two sets are disjoint (services.split_gold), so the answers
    a qualification round reveals never score anyone's normal work."""

    QUALIFICATION = "qualification", "Qualification rounds (answers shown as feedback)"
    HONEYPOT = "honeypot", "Honeypots in normal work (answers never shown before settlement)"


class Item(models.Model):
    """One thing to label. `index` is its item id on chain. Gold answers live in GoldAnswer, never
    here, so no serializer of items can leak them; neither shows `is_gold` or `gold_role`."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items")
    index = models.PositiveIntegerField()
    content_cid = models.CharField(max_length=100)
    media_type = models.CharField(max_length=100)
    source_name = models.CharField(max_length=500, help_text="file name or row the item was imported from")
    # Pixel size of an image item (null for text): box coordinates are checked and scaled against it.
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    is_gold = models.BooleanField(default=False)
    gold_role = models.CharField(
        max_length=13, choices=GoldRole.choices, blank=True, help_text="of a gold item, set when the job goes live"
    )
    # Serving state: how many labels the item still takes, and the learner's ranking.
    labels_needed = models.PositiveSmallIntegerField(help_text="redundancy plus any extension for disagreement")
    labels_taken = models.PositiveSmallIntegerField(default=0, help_text="labels given or leased, pending or confirmed")
    priority = models.FloatField(default=0.0, help_text="the learner's ranking score; higher is served first")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="one_item_per_index")]
        indexes = [models.Index(fields=["job", "is_gold", "-priority"], name="item_serving_order")]

    def __str__(self) -> str:
        return f"item {self.index} of job {self.job_id}"


class GoldAnswer(models.Model):
    """The known class of a gold item. Read only by qualification scoring, aggregation and settlement."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="gold_answer")
    label_index = models.PositiveSmallIntegerField()
