from django.db import models


class ContractDeployment(models.Model):
    """Where a contract of ours lives on a chain; `deploy_contracts` reuses it while the code is there."""

    chain_id = models.BigIntegerField()
    name = models.CharField(max_length=64)
    address = models.CharField(max_length=42)
    tx_hash = models.CharField(max_length=66, blank=True)
    block_number = models.BigIntegerField(null=True)
    bytecode_hash = models.CharField(max_length=66, help_text="keccak of the creation bytecode deployed")
    deployed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain_id", "name"], name="one_deployment_per_chain_and_name")]

    def __str__(self) -> str:
        return f"{self.name}@{self.chain_id}:{self.address}"


class ChainEvent(models.Model):
    """A confirmed log of a watched contract, decoded with that contract's ABI.

    `name` is empty and `args` holds the raw `topics` and `data` when the ABI knows no event with the
    log's topic: the log is kept so that a fixed ABI can decode it later without a rescan.
    """

    chain_id = models.BigIntegerField()
    block_number = models.BigIntegerField()
    block_hash = models.CharField(max_length=66)
    tx_hash = models.CharField(max_length=66)
    log_index = models.IntegerField()
    address = models.CharField(max_length=42)
    contract = models.CharField(max_length=64, help_text="name of the watched contract that emitted it")
    name = models.CharField(max_length=128, blank=True)
    args = models.JSONField(default=dict)
    indexed_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain_id", "tx_hash", "log_index"], name="one_event_per_log"),
        ]
        indexes = [
            models.Index(fields=["chain_id", "block_number", "log_index"], name="chain_event_position"),
            # The worker's sweep reads only the few events not handled yet.
            models.Index(fields=["id"], condition=models.Q(handled_at__isnull=True), name="chain_event_unhandled"),
        ]

    def __str__(self) -> str:
        return f"{self.name or '(undecoded)'}@{self.chain_id}:{self.block_number}/{self.log_index}"


class ChainCursor(models.Model):
    """One watched contract: its logs are indexed up to and including block `block_number`, whose
    hash was `block_hash` when it was indexed."""

    chain_id = models.BigIntegerField()
    address = models.CharField(max_length=42)
    contract = models.CharField(max_length=64, help_text="contract name whose ABI decodes the logs")
    block_number = models.BigIntegerField()
    block_hash = models.CharField(max_length=66)
    # A contract found through an event (a JobInstance clone named by JobCreated) is forgotten with
    # that event when a reorganisation orphans it.
    discovered_by = models.ForeignKey(
        ChainEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="discovered_cursors"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain_id", "address"], name="one_cursor_per_contract")]

    def __str__(self) -> str:
        return f"{self.contract}@{self.chain_id}:{self.address}#{self.block_number}"


class IndexedBlock(models.Model):
    """The hash of a block the indexer relied on (a cursor position or a block that carried an
    event): the history a reorganisation is walked back through to find the fork point."""

    chain_id = models.BigIntegerField()
    number = models.BigIntegerField()
    hash = models.CharField(max_length=66)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain_id", "number"], name="one_hash_per_block")]

    def __str__(self) -> str:
        return f"{self.chain_id}:{self.number}={self.hash}"
