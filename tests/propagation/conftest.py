"""Fixtures of the engine tests."""

from __future__ import annotations

import pytest
from propagation_helpers import Tiny

from studio.propagation.engines import kernel_available

NEEDS_NUMBA = pytest.mark.skipif(not kernel_available(), reason="numba is not importable")
ENGINE_PARAMS = ["reference", pytest.param("kernel", marks=NEEDS_NUMBA)]


@pytest.fixture(params=ENGINE_PARAMS)
def tiny(request) -> Tiny:
    """Every hand-written scenario runs on both engines (the kernel's timeline is checked equal to
    the reference's, event for event)."""
    return Tiny(request.param)
