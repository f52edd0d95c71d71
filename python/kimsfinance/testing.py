"""Helpers for memory-regression tests of code that uses kimsfinance.

Resident set size (RSS) is the ground truth: it sees every byte, whether allocated by Python,
numpy or the Rust core (which keeps the system allocator for that reason). A typical test::

    from kimsfinance.testing import assert_no_leak

    def test_my_renderer_does_not_leak():
        assert_no_leak(lambda: my_render(data), iterations=2_000, max_growth_mib=2)

RSS is read with psutil when installed, else from ``/proc/self/statm`` (Linux).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MemoryReport",
    "current_rss",
    "peak_rss",
    "reset_peak_rss",
    "measure_rss",
    "assert_no_leak",
]

_MIB = 1024 * 1024


def current_rss() -> int:
    """Resident set size of this process, in bytes."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        return int(psutil.Process().memory_info().rss)
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    """Largest resident set size this process has had so far, in bytes.

    On Linux this is ``VmHWM``, which belongs to the running program: unlike
    ``getrusage``'s ``ru_maxrss`` it does not inherit the peak of the process that started
    this one, and :func:`reset_peak_rss` can reset it.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kibibytes, macOS bytes.
    return int(peak if sys.platform == "darwin" else peak * 1024)


def reset_peak_rss() -> bool:
    """Resets :func:`peak_rss` to the current RSS (Linux); returns whether that was possible.

    Call it right before the code whose peak you want to measure.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


@dataclass(frozen=True)
class MemoryReport:
    """What :func:`measure_rss` saw."""

    iterations: int
    warmup: int
    rss_before: int
    rss_after: int
    peak: int
    errors: int

    @property
    def growth(self) -> int:
        """RSS growth over the measured iterations, in bytes (negative if memory was freed)."""
        return self.rss_after - self.rss_before

    @property
    def per_call(self) -> float:
        """Growth divided by the number of measured calls, in bytes."""
        return self.growth / self.iterations if self.iterations else 0.0

    def __str__(self) -> str:
        return (
            f"RSS grew by {self.growth / _MIB:.2f} MiB over {self.iterations} calls "
            f"({self.per_call:.0f} bytes per call; {self.rss_before / _MIB:.1f} -> "
            f"{self.rss_after / _MIB:.1f} MiB, peak {self.peak / _MIB:.1f} MiB, "
            f"{self.errors} expected errors, after {self.warmup} warm-up calls)"
        )


def measure_rss(
    func: Callable[[], Any],
    iterations: int = 1_000,
    warmup: int = 100,
    expect: type[BaseException] | tuple[type[BaseException], ...] = (),
) -> MemoryReport:
    """Calls ``func`` ``warmup`` times, then ``iterations`` times, and reports RSS growth.

    Exceptions of the types in ``expect`` are counted and swallowed, so error paths can be
    measured too; any other exception propagates. Results are dropped at once, so only what
    ``func`` keeps alive shows up as growth.
    """
    if iterations < 1 or warmup < 0:
        raise ValueError(f"iterations must be >= 1 and warmup >= 0, got {iterations} and {warmup}.")
    errors = 0

    def call() -> None:
        nonlocal errors
        try:
            func()
        except expect:
            errors += 1

    for _ in range(warmup):
        call()
    errors = 0
    gc.collect()
    before = current_rss()
    for _ in range(iterations):
        call()
    gc.collect()
    after = current_rss()
    return MemoryReport(iterations, warmup, before, after, max(peak_rss(), after), errors)


def assert_no_leak(
    func: Callable[[], Any],
    iterations: int = 1_000,
    warmup: int = 100,
    max_growth_mib: float = 2.0,
    expect: type[BaseException] | tuple[type[BaseException], ...] = (),
) -> MemoryReport:
    """Fails with a clear message when RSS grows more than ``max_growth_mib`` over the calls.

    Returns the :class:`MemoryReport` so a test can check more (for example ``errors``).
    """
    report = measure_rss(func, iterations, warmup, expect)
    if report.growth > max_growth_mib * _MIB:
        raise AssertionError(f"possible leak: {report} (limit {max_growth_mib} MiB)")
    return report
