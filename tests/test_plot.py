"""ui/plot: the vendored plotly.js is the version plotly for Python writes figures for, and holds
every trace type Midway's figures use (the basic build has scatter, bar and pie only)."""

from __future__ import annotations

import re
from pathlib import Path

import plotly

from ui import plot

VENDOR = plot.STATIC / "vendor"
HEADER = re.compile(r"plotly\.js (?:\([^)]*\) )?v(\d+\.\d+\.\d+)")


def _version(path: Path) -> str:
    found = HEADER.search(path.read_text("utf-8")[:400])
    assert found, path
    return found.group(1)


def test_the_vendored_build_matches_plotly_for_python_and_carries_its_licence() -> None:
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert (VENDOR / plot.PLOTLY_FILE).is_file()
    assert _version(VENDOR / plot.PLOTLY_FILE) == _version(bundled)
    assert f"plotly-basic-{_version(bundled)}.min.js" == plot.PLOTLY_FILE
    assert "MIT License" in (VENDOR / "plotly.js-LICENSE.txt").read_text("utf-8")


def test_every_trace_type_the_charts_build_is_in_the_basic_build() -> None:
    ui = Path(plot.__file__).parent
    used = {m.lower() for f in ui.glob("*.py") for m in re.findall(r"\bgo\.([A-Z]\w*)\(", f.read_text("utf-8"))}
    used -= {"figure"}
    assert used and used <= {"scatter", "bar", "pie"}, used
    bundle = (VENDOR / plot.PLOTLY_FILE).read_text("utf-8")
    for trace in used:  # each trace module registers itself by name
        assert f'name:"{trace}"' in bundle, trace


def test_the_component_script_loads_the_vendored_file_once_per_tab() -> None:
    script = plot.loader()
    assert f'const MIDWAY_PLOTLY_FILE = "{plot.PLOTLY_FILE}";' in script
    assert "win.__midwayPlotly" in script and '"app/static/vendor/"' in script
