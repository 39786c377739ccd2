"""Fixtures for the pure criteria tests: the three shipped standards, no Django, no database."""

import pytest

from households.criteria import load_default_standards


@pytest.fixture(scope="session")
def standards():
    return load_default_standards()


@pytest.fixture(scope="session")
def qd59(standards):
    return next(s for s in standards if s.code == "QD59_2015")


@pytest.fixture(scope="session")
def nd07(standards):
    return next(s for s in standards if s.code == "ND07_2021")


@pytest.fixture(scope="session")
def nd351(standards):
    return next(s for s in standards if s.code == "ND351_2025")
