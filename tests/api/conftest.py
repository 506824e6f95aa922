from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def tokens(users) -> dict:
    return {role: factories.make_api_token(user) for role, user in users.items()}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
