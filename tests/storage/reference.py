"""Expected CIDs from an independent implementation: js-ipfs's UnixFS importer (npm
`ipfs-unixfs-importer`), run by unixfs_cid.mjs beside this file."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.conf import settings

SCRIPT = Path(__file__).with_name("unixfs_cid.mjs")


def reference_cids(paths: list[Path]) -> list[str]:
    importer = Path(settings.NODE_MODULES_DIR) / "ipfs-unixfs-importer"
    assert importer.is_dir(), f"{importer} is missing: run `npm ci`"
    # cwd: Node resolves the script's imports from the project's node_modules.
    result = subprocess.run(
        ["node", str(SCRIPT), *map(str, paths)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.split()
