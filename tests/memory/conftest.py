"""Every test in this folder is a memory test: ``-m 'not memory'`` skips them all."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/memory" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.memory)
