from django.core.management.base import BaseCommand, CommandError

from apps.chain.client import get_web3, oracle_account, send
from apps.chain.deploy import deploy_contracts
from apps.chain.local_chain import ANVIL_CHAIN_ID, dev_private_keys
from apps.chain.registry import contract

DEV_FUNDING = 1_000_000 * 10**18


class Command(BaseCommand):
    help = "Deploy CrowdToken, JobInstance and JobManagement (reusing what is already on this chain)"

    def add_arguments(self, parser):
        parser.add_argument(
            "--fund-dev-accounts",
            action="store_true",
            help=f"mint {DEV_FUNDING // 10**18:,} tokens to each of anvil's development accounts (anvil only)",
        )

    def handle(self, *args, fund_dev_accounts: bool, **options):
        w3 = get_web3()
        # Checked before deploying so a mistaken flag on a real chain has no effect at all.
        if fund_dev_accounts and w3.eth.chain_id != ANVIL_CHAIN_ID:
            raise CommandError(f"--fund-dev-accounts is for anvil (chain id {ANVIL_CHAIN_ID}), not {w3.eth.chain_id}")
        oracle = oracle_account()
        addresses = deploy_contracts(w3=w3, deployer=oracle)
        self.stdout.write(f"Contracts on chain {w3.eth.chain_id}:")
        for name, address in addresses.items():
            self.stdout.write(f"  {name}: {address}")
        if fund_dev_accounts:
            token = contract("CrowdToken", w3=w3)
            for key in dev_private_keys():
                account = w3.eth.account.from_key(key)
                send(token.functions.mint(account.address, DEV_FUNDING), sender=oracle)
            self.stdout.write(
                f"Minted {DEV_FUNDING // 10**18:,} CROWD to each of {len(dev_private_keys())} dev accounts"
            )
