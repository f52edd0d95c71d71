"""pytest plugin for memory-regression tests (installed with kimsfinance, inactive until used).

It adds two things, both opt-in:

* the ``leak_check`` fixture: ``leak_check(func, iterations=1000, warmup=100,
  max_growth_mib=2.0, expect=())`` calls ``func`` repeatedly and fails the test with a clear
  message if RSS grows more than the limit; it returns the
  :class:`~kimsfinance.testing.MemoryReport`;
* the ``kimsfinance_no_leak`` marker: ``@pytest.mark.kimsfinance_no_leak(iterations=200,
  warmup=20, max_growth_mib=2.0)`` runs the whole test body that many times and checks RSS
  growth over the repeated runs (the test must not depend on fixtures being fresh each time).

Tests that use neither are untouched.
"""

from __future__ import annotations

from typing import Any

import pytest

from .testing import assert_no_leak

_MARKER = "kimsfinance_no_leak"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(iterations=200, warmup=20, max_growth_mib=2.0): run the test body repeatedly "
        "and fail if RSS grows more than max_growth_mib over the repeats",
    )


@pytest.fixture
def leak_check():
    """A function that fails the test when calling ``func`` many times grows RSS."""
    return assert_no_leak


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Any:
    # pytest's own call is the first run; the repeats follow under the RSS check.
    result = yield
    marker = pyfuncitem.get_closest_marker(_MARKER)
    if marker is not None:
        options = {"iterations": 200, "warmup": 20, "max_growth_mib": 2.0, **marker.kwargs}
        names = pyfuncitem._fixtureinfo.argnames
        arguments = {name: pyfuncitem.funcargs[name] for name in names}
        test = pyfuncitem.obj
        assert_no_leak(lambda: test(**arguments), **options)
    return result
