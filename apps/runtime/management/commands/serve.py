import os
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Set up and serve the whole stack (local chain, contracts, ASGI site, worker, indexer) until Ctrl-C"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-background",
            action="store_true",
            help="serve HTTP only; run `manage.py runworker crowdal-worker crowdal-learner crowdal-settlement crowdal-batches` and `manage.py index_chain` apart",
        )
        parser.add_argument(
            "--demo-items",
            type=int,
            default=int(os.environ.get("CROWDAL_DEMO_ITEMS", "400")),
            help="digit images in the demo job seeded on the embedded chain when it has none (0: no demo; "
            "default $CROWDAL_DEMO_ITEMS or 400)",
        )

    def handle(self, *args, host, port, no_background, demo_items, **options):
        # daphne installs the asyncio Twisted reactor on import: import it before anything Twisted.
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server

        from apps.runtime.demo import demo_paths, seed_demo
        from apps.runtime.stack import prepare_database_and_contracts, start_background_tasks, start_embedded_chain
        from crowdal_site.asgi import application

        # A process started in the background by a script inherits SIGINT ignored, and Twisted then
        # leaves it so: Ctrl-C would do nothing. Both signals end the server (and so the chain).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        chain = start_embedded_chain()
        try:
            addresses = prepare_database_and_contracts()
            self.stdout.write(f"chain {settings.CHAIN_RPC_URL}" + (" (embedded anvil)" if chain else ""))
            for name, address in sorted(addresses.items()):
                self.stdout.write(f"  {name}: {address}")
            url = f"http://{host}:{port}/"
            # Only on the embedded chain: the demo's requester is an anvil development key.
            if chain and demo_items:
                demo = seed_demo(items=demo_items, gold=min(30, demo_items // 2)).job
                for name, path in demo_paths(demo).items():
                    self.stdout.write(f"demo job {demo.pk} {name}: {url.rstrip('/')}{path}")

            def on_ready():
                if not no_background:
                    start_background_tasks(application)
                self.stdout.write(self.style.SUCCESS(f"CrowdAL is serving at {url}  (Ctrl-C stops everything)"))

            Server(
                application=application,
                endpoints=build_endpoint_description_strings(host=host, port=port),
                ready_callable=on_ready,
            ).run()
        finally:
            if chain:
                chain.stop()
        # Background handlers cut off by the stop wait in their threads for the stopped event loop, and
        # interpreter exit would join them forever. Nothing is lost by not waiting: everything is
        # committed, and the worker sweeps events left unhandled when it next starts.
        sys.stdout.flush()
        os._exit(0)
