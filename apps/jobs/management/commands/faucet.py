"""Mint test tokens to a wallet on the local development chain (refused on any other chain)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from apps.jobs.services import mint_test_tokens
from apps.jobs.templatetags.tokens import TOKEN_DECIMALS


class Command(BaseCommand):
    help = "Mint CROWD test tokens to ADDRESS on anvil, so it can fund jobs."

    def add_arguments(self, parser) -> None:
        parser.add_argument("address")
        parser.add_argument("--tokens", type=Decimal, default=Decimal(10_000), help="whole tokens (default 10000)")

    def handle(self, *args, address: str, tokens: Decimal, **options) -> None:
        try:
            tx_hash = mint_test_tokens(address=address, amount=int(tokens.scaleb(TOKEN_DECIMALS)))
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"minted {tokens} CROWD to {address} in {tx_hash}")
