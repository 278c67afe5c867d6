from django.core.management.base import BaseCommand

from apps.runtime.demo import demo_paths, seed_demo


class Command(BaseCommand):
    help = "Create and fund (on chain) the handwritten-digits demo job, unless the running chain has one"

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=400, help="digit images to import (max 1797)")
        parser.add_argument("--gold", type=int, default=30, help="gold items among them (known answers)")
        parser.add_argument("--redundancy", type=int, default=3, help="labels per item")

    def handle(self, *args, items, gold, redundancy, **options):
        demo = seed_demo(items=items, gold=gold, redundancy=redundancy)
        verb = "created and funded" if demo.created else "already exists"
        self.stdout.write(f"demo job {demo.job.pk} {verb} ({demo.job.get_status_display().lower()})")
        for name, path in demo_paths(demo.job).items():
            self.stdout.write(f"  {name}: {path}")
