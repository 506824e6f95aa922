"""Sign-in and account management."""

from __future__ import annotations

import secrets
import unicodedata
from functools import cache

from sqlalchemy import func
from sqlalchemy import select
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from hub import audit
from hub.extensions import db
from hub.models import Role
from hub.models import User
from hub.models import utcnow

MIN_PASSWORD_LENGTH = 8


@cache
def _dummy_hash() -> str:
    # checked against when the email is unknown, so a wrong email costs as much time as a wrong password
    return generate_password_hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A user-facing problem with account data."""


def normalize_email(email: str) -> str:
    """Trimmed, NFKC-folded and lower-cased: "ＡDMIN@example.com" (full-width A) is admin@example.com."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None without saying which half was wrong."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.is_active_account:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")


def create_user(
    email: str, name: str, password: str, role: Role, team: str | None = None, *, acting: User | None = None
) -> User:
    email = normalize_email(email)
    if not email or "@" not in email:
        raise AccountError("Enter a valid email address.")
    if not (name or "").strip():
        raise AccountError("Enter a name.")
    validate_password(password)
    if find_user_by_email(email) is not None:
        raise AccountError(f"A user with the email {email} already exists.")
    user = User(email=email, name=name.strip(), role=role, team=(team or "").strip() or None)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.log(
        "user.create",
        user_id=acting.id if acting else None,
        target_type="user",
        target_id=user.id,
        detail=f"{user.email} as {role.value}",
    )
    db.session.commit()
    return user


def update_user(user: User, *, name: str, role: Role, team: str | None, active: bool, acting: User) -> User:
    if user.id == acting.id and (role != Role.ADMIN or not active):
        raise AccountError("You cannot remove your own admin role or deactivate yourself.")
    if not (name or "").strip():
        raise AccountError("Enter a name.")
    changes = []
    if user.role != role:
        changes.append(("user.role_change", f"{user.email}: {user.role.value} -> {role.value}"))
    if user.is_active_account != active:
        action = "user.reactivate" if active else "user.deactivate"
        changes.append((action, user.email))
    new_team = (team or "").strip() or None
    if user.name != name.strip() or user.team != new_team:
        changes.append(("user.update", f"{user.email}: name {name.strip()!r}, team {new_team or '-'}"))
    user.name = name.strip()
    user.role = role
    user.team = new_team
    user.is_active_account = active
    for action, detail in changes:
        audit.log(action, user_id=acting.id, target_type="user", target_id=user.id, detail=detail)
    db.session.commit()
    return user


def set_password(user: User, password: str, *, acting: User | None = None) -> None:
    validate_password(password)
    user.set_password(password)
    if acting is not None:
        action = "user.password_change" if acting.id == user.id else "user.password_reset"
        audit.log(action, user_id=acting.id, target_type="user", target_id=user.id, detail=user.email)
    db.session.commit()
