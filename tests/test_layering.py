"""Imports run one way (DESIGN §4): web, newsletter -> stories -> articles ->
network; ingest -> articles, network. Nothing imports web."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "briefings"

# app -> the apps it may import
ALLOWED = {
    "network": set(),
    "throttle": set(),
    "articles": {"network"},
    "stories": {"articles", "network"},
    "ingest": {"articles", "network"},
    "web": {"stories", "articles", "network"},
    "newsletter": {"stories", "articles", "network", "throttle"},
    "demo": {"ingest", "articles", "network"},
    # The editors' desk reads from every app but web; nothing imports it.
    "desk": {"ingest", "stories", "newsletter", "articles", "network", "throttle"},
    "config": {
        "desk",
        "network",
        "articles",
        "ingest",
        "web",
        "demo",
        "stories",
        "newsletter",
        "throttle",
    },
}


def imported_apps(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "briefings" and len(parts) > 1:
                yield parts[1]


@pytest.mark.parametrize(
    "app",
    sorted(
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    ),
)
def test_app_imports_only_what_it_may(app):
    assert app in ALLOWED, f"new app {app}: add its allowed imports to this test"
    wrong = {
        (str(path.relative_to(PACKAGE)), other)
        for path in (PACKAGE / app).rglob("*.py")
        for other in imported_apps(path)
        if other != app
        and other not in ALLOWED[app]
        and other not in {"__main__"}
        and (PACKAGE / other).is_dir()
    }
    assert wrong == set()
