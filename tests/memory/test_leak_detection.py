"""The memory tools catch a real leak: deliberately leaking functions (test-only, never
shipped) that keep 1 KiB per call, in Python objects or on the native heap, must fail them, and
a clean one must pass."""

from __future__ import annotations

import ctypes
import sys

import pytest

from kimsfinance.testing import assert_no_leak, measure_rss

pytest_plugins = ["pytester"]

_kept: list[bytearray] = []


def _leak_one_kib():
    _kept.append(bytearray(1024))


def test_assert_no_leak_catches_one_kib_per_call():
    try:
        with pytest.raises(AssertionError, match=r"possible leak: RSS grew by .* over 5000 calls"):
            assert_no_leak(_leak_one_kib, iterations=5_000, warmup=10, max_growth_mib=2.0)
        report = measure_rss(_leak_one_kib, iterations=5_000, warmup=10)
        # About 1 KiB per call (plus the list's own slots).
        assert 900 <= report.per_call <= 1_400, report
    finally:
        _kept.clear()


@pytest.mark.skipif(sys.platform != "linux", reason="uses glibc's malloc through ctypes")
def test_a_native_heap_leak_is_caught_too():
    """A leak in native code (C here; Rust uses the same system allocator) never shows up in
    Python's own accounting, but RSS sees it: 1 KiB malloc'd and written per call, never freed.
    """
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]

    def leak_native_kib():
        libc.memset(libc.malloc(1024), 1, 1024)

    # Memory freed by earlier tests would be reused without growing RSS: give it back first.
    libc.malloc_trim(0)

    with pytest.raises(AssertionError, match=r"possible leak: RSS grew by .* over 5000 calls"):
        assert_no_leak(leak_native_kib, iterations=5_000, warmup=10, max_growth_mib=2.0)
    report = measure_rss(leak_native_kib, iterations=5_000, warmup=10)
    assert 900 <= report.per_call <= 1_400, report


def test_clean_function_passes():
    report = assert_no_leak(lambda: bytearray(1024), iterations=5_000)
    assert report.per_call < 100


def test_plugin_fixture_and_marker(pytester):
    pytester.makepyfile(
        """
        import pytest

        kept = []

        def test_fixture_catches(leak_check):
            with pytest.raises(AssertionError, match="possible leak"):
                leak_check(lambda: kept.append(bytearray(1024)), iterations=5000, warmup=10)

        @pytest.mark.kimsfinance_no_leak(iterations=3000, warmup=10)
        def test_marked_leaky_body():
            kept.append(bytearray(1024))

        @pytest.mark.kimsfinance_no_leak(iterations=3000, warmup=10)
        def test_marked_clean_body():
            assert len(bytearray(1024)) == 1024
        """
    )
    # The plugin is loaded through its pytest11 entry point, as it is for users.
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*AssertionError: possible leak*", "FAILED *test_marked_leaky_body*"]
    )
