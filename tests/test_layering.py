"""Pages and ui/ hold no database code: they call services. Checked on the import graph (AST), so
a page that starts reading a table itself fails here before review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("sqlalchemy", "services.persistence.models")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def _forbidden(names: list[str]) -> list[str]:
    return [n for n in names if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)]


FILES = sorted([*(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pages_and_ui_import_no_database_code(path: Path) -> None:
    assert _forbidden(_imports(path)) == [], f"{path.relative_to(ROOT)} imports database code: call a service"


def test_the_check_catches_every_import_form(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import sqlalchemy.orm\n"
        "from sqlalchemy import select\n"
        "from services.persistence import models\n"
        "def f():\n    from services.persistence.models import Staff\n",
        encoding="utf-8",
    )
    assert _forbidden(_imports(bad)) == [
        "sqlalchemy.orm",
        "sqlalchemy",
        "sqlalchemy.select",
        "services.persistence.models",
        "services.persistence.models",
        "services.persistence.models.Staff",
    ]
    ok = tmp_path / "ok.py"
    ok.write_text("from services.persistence import database\nimport services.casework.staff\n", encoding="utf-8")
    assert _forbidden(_imports(ok)) == []
    assert len(FILES) > 10


ENGINE = sorted((ROOT / "services" / "engine").glob("*.py"))
SERVICES = sorted((ROOT / "services").rglob("*.py"))


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: p.name)
def test_the_engine_imports_nothing_of_midway_but_itself_and_errors(path: Path) -> None:
    """The engine is pure polars over a Caseload: no database, casework or views (README "Layout");
    services.dates (the one date format) and services.vocabulary (labels), both pure data importing
    nothing, word its reasons."""
    own = [n for n in _imports(path) if n == "services" or n.startswith("services.")]
    bad = [
        n
        for n in own
        if not n.startswith(("services.engine", "services.errors", "services.dates", "services.vocabulary"))
    ]
    assert bad == [], f"services/engine/{path.name} imports {bad}"
    assert not [n for n in _imports(path) if n.split(".")[0] in ("sqlalchemy", "streamlit")]


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: str(p.relative_to(ROOT / "services")))
def test_services_never_import_streamlit(path: Path) -> None:
    assert [n for n in _imports(path) if n.split(".")[0] == "streamlit"] == []


PERSISTENCE = sorted((ROOT / "services" / "persistence").rglob("*.py"))
ABOVE_PERSISTENCE = ("services.casework", "services.views", "services.importers", "services.demo", "services.cli")


@pytest.mark.parametrize("path", PERSISTENCE, ids=lambda p: str(p.relative_to(ROOT / "services" / "persistence")))
def test_persistence_imports_nothing_from_the_packages_above_it(path: Path) -> None:
    """Persistence sits below casework, views, importers, demo and the CLI (README "Layout")."""
    bad = [n for n in _imports(path) if any(n == a or n.startswith(a + ".") for a in ABOVE_PERSISTENCE)]
    assert bad == [], f"services/persistence/{path.relative_to(ROOT / 'services' / 'persistence')} imports {bad}"
