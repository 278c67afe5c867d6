"""The command line the figure benchmarks share: run, then print one JSON object (`--json`) or a
table of name and value."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable


def print_figures(run: Callable[[], dict], *, description: str, heading: tuple[str, str] = ("figure", "value")) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    options = parser.parse_args()
    figures = run()
    if options.json:
        print(json.dumps(figures))
        return
    width = max(map(len, [*figures, heading[0]]))
    print(f"{heading[0]:<{width}}  {heading[1]:>12}")
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:>12,}" if isinstance(value, int) else f"{name:<{width}}  {value:>12.4f}")
