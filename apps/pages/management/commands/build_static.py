"""Copy the front-end libraries the pages import from node_modules into static/vendor/.

The site never loads a library from a CDN: what the browser runs is what `npm ci` installed from
package-lock.json. static/vendor/ is generated (gitignored); `make setup` runs this command.
"""
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# static/vendor/<name> <- node_modules/<path>
VENDORED = {
    "ethers.min.js": "ethers/dist/ethers.min.js",  # ES module build
    # The UMD build bundles its one dependency (@kurkle/color) and registers every chart type; the
    # ES module build imports that dependency by bare name, which a browser cannot resolve.
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}


def vendor_dir() -> Path:
    return Path(settings.BASE_DIR) / "static" / "vendor"


class Command(BaseCommand):
    help = "Copy front-end libraries from node_modules into static/vendor/."

    def handle(self, *args, **options) -> None:
        target = vendor_dir()
        target.mkdir(parents=True, exist_ok=True)
        for name, source in VENDORED.items():
            path = Path(settings.NODE_MODULES_DIR) / source
            if not path.is_file():
                raise CommandError(f"{path} is missing: run `npm ci` first")
            shutil.copyfile(path, target / name)
            self.stdout.write(f"static/vendor/{name} <- node_modules/{source}")
