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
