"""Copy the front-end libraries the pages import from node_modules into static/vendor/, and bundle the
few that need bundling with esbuild (from npm).

The site never loads a library from a CDN: what the browser runs is what `npm ci` installed from
package-lock.json. static/vendor/ is generated (gitignored); `make setup` runs this command.
"""

import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# static/vendor/<name> <- node_modules/<path>
VENDORED = {
    "ethers.min.js": "ethers/dist/ethers.min.js",  # ES module build
    # The UMD build bundles its one dependency (@kurkle/color) and registers every chart type; the
    # ES module build imports that dependency by bare name, which a browser cannot resolve.
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    # The Semaphore v4 circuit the browser proves labels with (ceremony artifacts). Only the one depth
    # zk/label-proof.mjs uses (PROOF_DEPTH = 20): 5.7 MB, fetched once by labelers in anonymous mode.
    "semaphore/semaphore-20.wasm": "@zk-kit/semaphore-artifacts/semaphore-20.wasm",
    "semaphore/semaphore-20.zkey": "@zk-kit/semaphore-artifacts/semaphore-20.zkey",
}

# static/vendor/<name> <- esbuild bundle (ES module, minified) of static/src/<entry>
BUNDLED = {
    # Semaphore identity/group/proof + snarkjs + our label binding: window.CrowdZK
    "zk.bundle.js": "zk.js",
    # the anonymous reward claim prover (zk-claim's zk/claim/claim.mjs): window-free ES module
    "zk_claim.bundle.js": "zk_claim.js",
}


def vendor_dir() -> Path:
    return Path(settings.BASE_DIR) / "static" / "vendor"


class Command(BaseCommand):
    help = "Copy front-end libraries from node_modules into static/vendor/ and bundle static/src/ entries."

    def handle(self, *args, **options) -> None:
        target = vendor_dir()
        node_modules = Path(settings.NODE_MODULES_DIR)
        for name, source in VENDORED.items():
            path = node_modules / source
            if not path.is_file():
                raise CommandError(f"{path} is missing: run `npm ci` first")
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / name)
            self.stdout.write(f"static/vendor/{name} <- node_modules/{source}")
        esbuild = node_modules / ".bin" / "esbuild"
        if not esbuild.exists():
            raise CommandError(f"{esbuild} is missing: run `npm ci` first")
        for name, entry in BUNDLED.items():
            source = Path(settings.BASE_DIR) / "static" / "src" / entry
            done = subprocess.run(
                [
                    str(esbuild),
                    str(source),
                    "--bundle",
                    "--format=esm",
                    "--minify",
                    "--platform=browser",
                    "--log-level=warning",
                    f"--outfile={target / name}",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise CommandError(f"esbuild failed on static/src/{entry}:\n{done.stderr}")
            self.stdout.write(f"static/vendor/{name} <- esbuild static/src/{entry}")
