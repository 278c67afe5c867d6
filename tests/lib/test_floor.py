"""apps/lib is the lowest floor: every app may import it, so it imports no app."""

import ast
from pathlib import Path

import apps.lib

LIB = Path(apps.lib.__file__).parent


def test_the_library_imports_no_app():
    imported = set()
    for module in LIB.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add((module.name, node.module))
            elif isinstance(node, ast.Import):
                imported.update((module.name, alias.name) for alias in node.names)
    assert len(imported) > 5  # the walk saw the modules' imports
    apps_imported = {(name, what) for name, what in imported if what.startswith("apps.")}
    assert {(name, what) for name, what in apps_imported if not what.startswith("apps.lib")} == set()
