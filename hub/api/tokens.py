"""Personal API tokens: created on the profile page, shown once, stored only as a sha256."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from hub import audit
from hub.extensions import db
from hub.models import ApiToken
from hub.models import User
from hub.models import hash_token
from hub.models import utcnow

TOKEN_PREFIX = "hub_"
MAX_ACTIVE_TOKENS = 20
# last_used_at is refreshed at most this often, so busy integrations do not write on every call
TOUCH_INTERVAL = timedelta(minutes=1)


class TokenError(ValueError):
    """A user-facing problem with a token request."""


def tokens_for(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def create_token(user: User, name: str, *, ip_address: str | None = None) -> tuple[ApiToken, str]:
    """Return the token row and the raw token, which is never stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise TokenError("Give the token a name, such as the tool that will use it.")
    active = [t for t in tokens_for(user) if t.is_active]
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise TokenError(f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one you no longer use.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:80], token_hash=hash_token(raw), prefix=raw[:12])
    db.session.add(token)
    db.session.flush()
    audit.log(
        "api_token.create",
        user_id=user.id,
        target_type="api_token",
        target_id=token.id,
        detail=f"{token.name} ({token.prefix}…)",
        ip_address=ip_address,
    )
    db.session.commit()
    return token, raw


def revoke_token(token: ApiToken, *, acting: User, ip_address: str | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.log(
            "api_token.revoke",
            user_id=acting.id,
            target_type="api_token",
            target_id=token.id,
            detail=f"{token.name} ({token.prefix}…)",
            ip_address=ip_address,
        )
        db.session.commit()
    return token


def authenticate(raw: str | None) -> User | None:
    """The active user behind an active token, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None or not token.is_active or not token.user.is_active_account:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
        token.last_used_at = now
        db.session.commit()
    return token.user
