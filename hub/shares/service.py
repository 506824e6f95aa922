"""Share links: create, revoke, change expiry; who may see which links and deals."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy import update

from hub import audit
from hub import tracking
from hub.extensions import db
from hub.models import Asset
from hub.models import Deal
from hub.models import DealAsset
from hub.models import DealAssetSource
from hub.models import EventKind
from hub.models import ShareItem
from hub.models import ShareLink
from hub.models import ShareVisit
from hub.models import User
from hub.models import token_digest
from hub.models import utcnow

# 32 random bytes = 256 bits, 43 URL-safe characters
TOKEN_BYTES = 32
MAX_ASSETS = 25
MAX_LIFETIME = timedelta(days=3653)


class ShareError(ValueError):
    """A share could not be created or changed; the message is shown to the user."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def can_manage(user: User, share: ShareLink) -> bool:
    return user.can_manage_content or share.created_by_id == user.id


def can_use_deal(user: User, deal: Deal) -> bool:
    return user.can_manage_content or deal.owner_id == user.id


def visible_shares(user: User) -> Select:
    """Reps see their own links; marketers and admins see every link."""
    query = select(ShareLink)
    if not user.can_manage_content:
        query = query.where(ShareLink.created_by_id == user.id)
    return query


def shareable_problem(asset: Asset) -> str | None:
    """Why an asset cannot be sent to a prospect, or None when it can."""
    if asset.is_archived:
        return f"“{asset.title}” is archived and cannot be shared."
    if asset.is_expired():
        return f"“{asset.title}” has expired and cannot be shared."
    if not asset.is_link and asset.current_version is None:
        return f"“{asset.title}” has no file to share."
    return None


def create_share(
    *,
    created_by: User,
    assets: Sequence[Asset],
    deal: Deal | None = None,
    title: str | None = None,
    recipient_name: str | None = None,
    recipient_email: str | None = None,
    recipient_company: str | None = None,
    note: str | None = None,
    expires_at: datetime | None = None,
    allow_download: bool = True,
    require_email: bool = False,
    now: datetime | None = None,
) -> ShareLink:
    """Create a link to one asset or a bundle (a deal room), with its events, audit entry and deal uses."""
    now = now or utcnow()
    unique = list(dict.fromkeys(assets))
    if not unique:
        raise ShareError("Choose at least one asset to share.")
    if len(unique) > MAX_ASSETS:
        raise ShareError(f"A share can hold at most {MAX_ASSETS} assets.")
    for asset in unique:
        problem = shareable_problem(asset)
        if problem:
            raise ShareError(problem)
    if deal is not None and not can_use_deal(created_by, deal):
        raise ShareError("You can only tie shares to your own deals.")
    _check_expiry(expires_at, now)

    token = new_token()
    share = ShareLink(
        token=token,
        token_hash=token_digest(token),
        created_by=created_by,
        deal=deal,
        title=_clean(title) or (unique[0].title if len(unique) == 1 else None),
        recipient_name=_clean(recipient_name),
        recipient_email=_clean(recipient_email),
        recipient_company=_clean(recipient_company),
        note=_clean(note),
        expires_at=expires_at,
        allow_download=allow_download,
        require_email=require_email,
        items=[ShareItem(asset=asset, position=i) for i, asset in enumerate(unique)],
    )
    db.session.add(share)
    db.session.flush()
    deal_id = deal.id if deal is not None else None
    for asset in unique:
        tracking.add(
            EventKind.SHARE,
            user_id=created_by.id,
            asset_id=asset.id,
            deal_id=deal_id,
            share_id=share.id,
            at=now,
        )
        if deal is not None:
            db.session.add(
                DealAsset(
                    deal=deal,
                    asset=asset,
                    user_id=created_by.id,
                    share_id=share.id,
                    source=DealAssetSource.SHARE,
                    used_at=now,
                    note=f"Shared with {share_recipient(share)}",
                )
            )
    audit.log(
        "share.create",
        user_id=created_by.id,
        target_type="share",
        target_id=share.id,
        detail=f"{len(unique)} asset(s) {', '.join(str(a.id) for a in unique)} for {share_recipient(share)}"
        + (f", deal {deal.crm_id}" if deal is not None else ""),
    )
    db.session.commit()
    return share


def revoke_share(share: ShareLink, *, acting: User) -> ShareLink:
    if share.revoked_at is None:
        share.revoked_at = utcnow()
        audit.log("share.revoke", user_id=acting.id, target_type="share", target_id=share.id)
        db.session.commit()
    return share


def change_expiry(share: ShareLink, expires_at: datetime | None, *, acting: User) -> ShareLink:
    """Set a new expiry (None = never); a revoked link stays revoked."""
    if share.is_revoked:
        raise ShareError("This link was revoked; create a new link instead.")
    _check_expiry(expires_at, utcnow())
    share.expires_at = expires_at
    audit.log(
        "share.expiry",
        user_id=acting.id,
        target_type="share",
        target_id=share.id,
        detail=f"expires {expires_at:%Y-%m-%d %H:%M}" if expires_at else "never expires",
    )
    db.session.commit()
    return share


def mark_activity_seen(user: User) -> int:
    """Mark every unseen visit on the user's links as seen; returns how many were marked."""
    own = select(ShareLink.id).where(ShareLink.created_by_id == user.id)
    now = utcnow()
    result = db.session.execute(
        update(ShareVisit)
        .where(ShareVisit.share_id.in_(own), ShareVisit.seen_at.is_(None))
        .values(seen_at=now)
        .execution_options(synchronize_session=False)
    )
    user.activity_seen_at = now
    db.session.commit()
    return result.rowcount or 0


def share_recipient(share: ShareLink) -> str:
    """Who the link is for, as the rep would say it."""
    return share.recipient_company or share.recipient_name or share.recipient_email or "a prospect"


def _check_expiry(expires_at: datetime | None, now: datetime) -> None:
    if expires_at is None:
        return
    if expires_at <= now:
        raise ShareError("The expiry must be in the future.")
    if expires_at > now + MAX_LIFETIME:
        raise ShareError(
            "Choose an expiry within ten years, or leave it empty for a link that never expires."
        )


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
