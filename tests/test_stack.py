"""The apps form a stack: every import and every migration dependency points down.

    network_portal            (network-wide pages: home, directory, dashboard)
    agreements   projects     (never import each other)
    members                   (companies, target company records, help requests)
    gardens                   (geography, gardens, staff, access)
    core                      (user, audit trail, mail, env, text and web helpers)
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

LAYERS = {"core": 0, "gardens": 1, "members": 2, "agreements": 3, "projects": 3, "network_portal": 4}
ROOT = Path(settings.BASE_DIR)


def imports_of(app: str) -> list[tuple[str, int, str]]:
    """(file, line, imported app) for every import of one of our apps inside `app`, lazy ones included."""
    found = []
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in LAYERS and top != app:
                    found.append((str(path.relative_to(ROOT)), node.lineno, top))
    return found


@pytest.mark.parametrize("app", list(LAYERS))
def test_no_import_points_up_or_sideways(app):
    wrong = [(f, line, other) for f, line, other in imports_of(app) if LAYERS[other] >= LAYERS[app]]
    assert not wrong, f"{app} imports from its own layer or above: {wrong}"


def test_migrations_depend_only_on_apps_below(db):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    wrong = []
    for (app, name), migration in loader.disk_migrations.items():
        if app not in LAYERS:
            continue
        for dep_app, _dep_name in migration.dependencies:
            dep_app = settings.AUTH_USER_MODEL.split(".")[0] if dep_app == "__setting__" else dep_app
            if dep_app in LAYERS and dep_app != app and LAYERS[dep_app] >= LAYERS[app]:
                wrong.append((app, name, dep_app))
    assert not wrong, f"migrations that depend on an app at or above their layer: {wrong}"


def test_installed_apps_are_listed_bottom_up():
    ours = [app for app in settings.INSTALLED_APPS if app in LAYERS]
    assert ours == sorted(ours, key=LAYERS.get)
