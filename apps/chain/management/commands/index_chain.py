from django.core.management.base import BaseCommand

from apps.chain.client import get_web3
from apps.chain.indexer import index_once, run_indexer


class Command(BaseCommand):
    help = "Index confirmed events of the watched contracts, a pass every CHAIN_POLL_SECONDS until Ctrl-C"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass up to the confirmed head, then exit")

    def handle(self, *args, once, **options):
        if once:
            result = index_once(w3=get_web3())
            self.stdout.write(
                f"chain {result.chain_id}: {result.events} events in {result.chunks} ranges, "
                f"confirmed head {result.safe_head}"
                + ("" if result.fork_block is None else f", rolled back to block {result.fork_block}")
            )
            return
        try:
            run_indexer()
        except KeyboardInterrupt:
            pass
