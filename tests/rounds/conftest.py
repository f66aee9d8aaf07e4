"""Fixtures of the rounds app's tests."""

import pytest

from tests.portfolios import hand_computed_portfolio


@pytest.fixture
def portfolio(db) -> None:
    """Alpha, Beta and Gamma, whose positions are worked out by hand (tests/portfolios.py)."""
    hand_computed_portfolio()
