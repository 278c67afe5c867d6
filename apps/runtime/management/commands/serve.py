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
            help="serve HTTP only; run `manage.py runworker crowdal-worker` and `manage.py index_chain` apart",
        )

    def handle(self, *args, host, port, no_background, **options):
        # daphne installs the asyncio Twisted reactor on import: import it before anything Twisted.
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server

        from apps.runtime.stack import prepare_database_and_contracts, start_background_tasks, start_embedded_chain
        from crowdal_site.asgi import application

        chain = start_embedded_chain()
        try:
            addresses = prepare_database_and_contracts()
            self.stdout.write(f"chain {settings.CHAIN_RPC_URL}" + (" (embedded anvil)" if chain else ""))
            for name, address in sorted(addresses.items()):
                self.stdout.write(f"  {name}: {address}")
            url = f"http://{host}:{port}/"

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
