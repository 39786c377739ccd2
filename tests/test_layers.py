"""Import arrows only point down: core is the ground floor beside areas and accounts, the domain apps stand on it,
and the dashboards stand on the domain apps. Read from the source with ``ast``, so a late import inside a function
counts as much as one at the top of a module."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GROUND = {"core", "areas", "accounts"}
TOP = {"dashboards"}


def project_apps() -> set[str]:
    """The portal's own apps (those whose package lives in this repository)."""
    return {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(ROOT.resolve()) and ".venv" not in Path(config.path).parts
    }


def imported_apps(app: str) -> dict[str, set[str]]:
    """For each module of ``app``: the project apps it imports (absolute imports only; relative ones stay inside)."""
    found = {}
    for module in sorted((ROOT / app).rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(module.relative_to(ROOT))] = names
    return found


def test_the_layers_cover_every_project_app():
    assert project_apps() >= GROUND | TOP
    assert project_apps() - GROUND - TOP, "domain apps between the ground floor and the dashboards"


def test_core_imports_no_domain_app():
    """core is the ground floor: it may read areas and accounts, never an app built on it."""
    above = project_apps() - GROUND
    offending = {module: sorted(names & above) for module, names in imported_apps("core").items() if names & above}
    assert offending == {}


@pytest.mark.parametrize("app", sorted({"households", "reviews", "programs", "emulation", "reports", *GROUND}))
def test_no_app_below_the_dashboards_imports_them(app):
    offending = {module: sorted(names & TOP) for module, names in imported_apps(app).items() if names & TOP}
    assert offending == {}


def test_the_check_sees_a_late_import(tmp_path, monkeypatch):
    """The walker finds an import inside a function, the kind that hid core's former dependency on households."""
    package = tmp_path / "fake"
    package.mkdir()
    (package / "late.py").write_text("def f():\n    from households.selectors import x\n    import reviews.models\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert imported_apps("fake") == {"fake/late.py": {"households", "reviews"}}
