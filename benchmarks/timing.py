"""What the benchmark scripts share: the wall-clock time of one call."""

from __future__ import annotations

import time
from collections.abc import Callable


def ms(f: Callable[[], object]) -> float:
    """Milliseconds one call of f takes (time.perf_counter)."""
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1000
