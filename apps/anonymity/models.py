"""Anonymous job mode: a job's Semaphore group and the labels sent into it through the relayer.

What ties a wallet to anything here is only GroupJoin (which wallet added which commitment), and a
commitment reveals nothing about the nullifiers its identity later produces, so no row links a label
to a wallet. Field elements (commitments, nullifiers, roots) are kept as decimal strings: they are
up to 254 bits, beyond any integer column.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.jobs.models import Item, Job
from apps.lib.fields import TokenAmountField

FIELD_ELEMENT = {"max_length": 78}


class GroupJoin(models.Model):
    """A qualified wallet's request to put one identity commitment in the job's group (one per
    wallet and job); `tx_hash` once the oracle's addMembers went out."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="group_joins")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_joins")
    commitment = models.CharField(**FIELD_ELEMENT)
    tx_hash = models.CharField(max_length=66, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "worker"], name="one_commitment_per_wallet_and_job"),
            models.UniqueConstraint(fields=["job", "commitment"], name="commitment_unique_in_job"),
        ]


class GroupMember(models.Model):
    """A leaf of the job's group on chain, from an indexed MembersAdded event: the list browsers
    rebuild the group (and their Merkle proofs) from."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="group_members")
    index = models.PositiveIntegerField()
    commitment = models.CharField(**FIELD_ELEMENT)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="one_member_per_leaf")]


class AnonymousLabel(models.Model):
    """One relayed label: pending when the relayer accepted it, confirmed when the indexer sees its
    AnonymousLabel event (rejected instead when its item is gold). The nullifier is the identity's
    tag for (job, item): unique per job."""

    class Status(models.TextChoices):
        PENDING = "pending", "Sent by the relayer"
        CONFIRMED = "confirmed", "On chain (indexed)"
        FAILED = "failed", "Rejected or reverted; the item's slot was released"
        # On chain, but on a gold item: gold scores wallets in qualification, and a member who saw
        # answers there could collect sure rewards with them. Never counted or paid.
        REJECTED = "rejected", "On chain, on a gold item: not counted"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="anonymous_labels")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="anonymous_labels")
    label_index = models.PositiveSmallIntegerField()
    nullifier = models.CharField(**FIELD_ELEMENT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    tx_hash = models.CharField(max_length=66, blank=True)
    block_number = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job", "nullifier"], condition=~Q(status="failed"), name="one_live_label_per_nullifier"
            )
        ]
        indexes = [models.Index(fields=["job", "status"], name="anon_label_job_status")]


class AnonymousPool(models.Model):
    """The anonymous labelers' share of a settled job: one leaf of the job's payout tree paid to the
    AnonymousRewards contract, and the correct labels they claim against. Frozen at settlement's
    COMPUTED step like the payouts; `correct_root` and `pull_tx` are filled as settlement posts the
    root and pulls the pool."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="anonymous_pool")
    leaf_index = models.PositiveIntegerField()
    amount = TokenAmountField()
    proof = models.JSONField(default=list, help_text="0x hex sibling hashes of the pool's payout leaf")
    reward_per_label = TokenAmountField()
    correct_count = models.PositiveIntegerField()
    correct_nullifiers = models.JSONField(default=list, help_text="leaves of the correct-labels tree, ascending")
    correct_root = models.CharField(**FIELD_ELEMENT, blank=True, help_text="that tree's root, once posted on chain")
    pull_tx = models.CharField(max_length=66, blank=True)
