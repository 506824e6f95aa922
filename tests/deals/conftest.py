from __future__ import annotations

from pathlib import Path

import pytest

from hub.models import Role
from tests import factories

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crm"


@pytest.fixture
def crm_reps(app) -> dict:
    """The reps named as owners in the CRM fixture files."""
    return {
        "dana": factories.make_user(Role.REP, email="dana.whitfield@acme.test", name="Dana Whitfield"),
        "marco": factories.make_user(Role.REP, email="marco.rossi@acme.test", name="Marco Rossi"),
    }


@pytest.fixture
def taxonomy(app):
    return factories.make_taxonomy()


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
