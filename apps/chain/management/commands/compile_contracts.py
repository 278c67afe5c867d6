from django.core.management.base import BaseCommand

from apps.chain.compiler import compile_contracts


class Command(BaseCommand):
    help = "Compile contracts/src with solc-js through py-solc-x; writes contracts/build/*.json"

    def handle(self, *args, **options):
        artifacts = compile_contracts()
        for name, artifact in sorted(artifacts.items()):
            size = (len(artifact.deployed_bytecode) - 2) // 2
            self.stdout.write(f"{name}: {size} bytes deployed")
