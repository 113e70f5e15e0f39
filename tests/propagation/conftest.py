"""Fixtures of the engine tests."""

from __future__ import annotations

import pytest
from propagation_helpers import Tiny


@pytest.fixture
def tiny() -> Tiny:
    return Tiny()
