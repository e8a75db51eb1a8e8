"""The lock files agree with pyproject.toml and with each other, and every pin carries hashes
(`make` installs with --require-hashes, which refuses a pin without one)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _lock(name: str) -> dict[str, tuple[str, int]]:
    """package -> (version, number of hashes) for every pin in the lock file."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if m := PIN.match(line):
            current = canonicalize_name(m.group(1))
            pins[current] = (m.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, n = pins[current]
            pins[current] = (version, n + 1)
    return pins


def _declared(reqs: list[str]) -> dict[str, str]:
    out = {}
    for text in reqs:
        req = Requirement(text)
        (spec,) = req.specifier  # each direct dependency is pinned exactly
        assert spec.operator == "==", text
        out[canonicalize_name(req.name)] = spec.version
    return out


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = _lock("requirements.lock")
DEV = _lock("requirements-dev.lock")


def test_declared_dependencies_are_locked_at_their_versions() -> None:
    runtime = _declared(PROJECT["dependencies"])
    dev = _declared(PROJECT["optional-dependencies"]["dev"])
    assert {k: RUNTIME.get(k, ("missing",))[0] for k in runtime} == runtime
    assert {k: DEV.get(k, ("missing",))[0] for k in runtime | dev} == runtime | dev
    assert not set(dev) & set(RUNTIME), "a dev tool is in the runtime lock"


def test_dev_lock_has_the_runtime_lock_at_the_same_versions() -> None:
    assert {k: DEV.get(k, ("missing",))[0] for k in RUNTIME} == {k: v for k, (v, _) in RUNTIME.items()}


def test_every_pin_has_a_hash() -> None:
    assert [k for k, (_, n) in (RUNTIME | DEV).items() if n == 0] == []
