"""Small builders for test data; each commits and returns the model."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from werkzeug.security import generate_password_hash

from hub.extensions import db
from hub.models import Deal
from hub.models import DealStatus
from hub.models import Persona
from hub.models import Role
from hub.models import Stage
from hub.models import User

_seq = itertools.count(1)

PERSONAS = ("CFO", "IT director", "Operations lead", "End user", "Procurement")
STAGES = ("Awareness", "Consideration", "Decision", "Onboarding", "Advocacy")


def make_user(
    role: Role = Role.REP, *, email: str | None = None, password: str = "password123", **fields
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@example.com", name=fields.pop("name", f"User {n}"), role=role, **fields
    )
    # a cheap hash keeps the many logins of the access matrix fast; production uses scrypt
    user.password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")
    db.session.add(user)
    db.session.commit()
    return user


def make_taxonomy() -> tuple[list[Persona], list[Stage]]:
    personas = [Persona(name=name, position=i) for i, name in enumerate(PERSONAS)]
    stages = [Stage(name=name, position=i) for i, name in enumerate(STAGES)]
    db.session.add_all(personas + stages)
    db.session.commit()
    return personas, stages


def make_deal(*, owner: User | None = None, status: DealStatus = DealStatus.OPEN, **fields) -> Deal:
    n = next(_seq)
    deal = Deal(
        crm_id=fields.pop("crm_id", f"CRM-{n}"),
        name=fields.pop("name", f"Deal {n}"),
        account=fields.pop("account", f"Account {n}"),
        amount=fields.pop("amount", Decimal("10000")),
        owner=owner,
        status=status,
        created_on=fields.pop("created_on", date(2026, 1, 1)),
        **fields,
    )
    db.session.add(deal)
    db.session.commit()
    return deal


def make_bare_asset(title: str | None = None, *, personas=(), stages=(), **fields):
    """An asset row without a file, for report tests that only need ids, tags and types."""
    from hub.models import Asset

    n = next(_seq)
    asset = Asset(title=title or f"Asset {n}", personas=list(personas), stages=list(stages), **fields)
    db.session.add(asset)
    db.session.commit()
    return asset


def link_deal_asset(deal, asset, *, used_at=None, user=None, source=None):
    """A DealAsset row, as a share or a logged meeting would write it."""
    from hub.models import DealAsset
    from hub.models import DealAssetSource

    use = DealAsset(deal=deal, asset=asset, user=user, source=source or DealAssetSource.MEETING)
    if used_at is not None:
        use.used_at = used_at
    db.session.add(use)
    db.session.commit()
    return use


def make_event(kind, *, at=None, **fields):
    """A usage event written through hub.tracking.record."""
    from hub import tracking

    return tracking.record(kind, at=at, **fields)


def sample_file(kind: str = "pdf", *, title: str = "Sample", text: str = "Sample text") -> tuple[bytes, str]:
    """Real file bytes and a file name of the given kind: pdf, docx, pptx, txt, md or html."""
    from hub import samples

    slug = "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-") or "file"
    if kind == "pdf":
        return samples.make_pdf(title, [text]), f"{slug}.pdf"
    if kind == "docx":
        return samples.make_docx(title, [text]), f"{slug}.docx"
    if kind == "pptx":
        return samples.make_pptx(title, [(title, text)]), f"{slug}.pptx"
    if kind in ("txt", "md"):
        return f"{title}\n\n{text}\n".encode(), f"{slug}.{kind}"
    if kind == "html":
        page = f"<!doctype html><html><head><title>{title}</title></head><body><p>{text}</p></body></html>"
        return page.encode(), f"{slug}.html"
    raise ValueError(f"unknown sample kind {kind!r}")


def make_asset(
    owner: User | None = None,
    title: str | None = None,
    *,
    text: str | None = None,
    kind: str = "pdf",
    personas=(),
    stages=(),
    asset_type=None,
    **fields,
):
    """A file asset uploaded through the real service (stored blob, extracted text, index entry).

    Other Asset columns in `fields` (status, created_at, archived_at...) are set after the upload.
    """
    from hub import index
    from hub.library.service import create_file_asset
    from hub.models import AssetType

    n = next(_seq)
    title = title or f"Asset {n}"
    data, filename = sample_file(kind, title=title, text=text or f"{title}: content for testing number {n}.")
    service_fields = {k: fields.pop(k) for k in ("description", "tags", "expires_on") if k in fields}
    asset = create_file_asset(
        data=data,
        filename=fields.pop("filename", filename),
        title=title,
        owner=owner,
        uploaded_by=fields.pop("uploaded_by", owner),
        asset_type=asset_type or AssetType.OTHER,
        persona_ids=[getattr(p, "id", p) for p in personas],
        stage_ids=[getattr(s, "id", s) for s in stages],
        **service_fields,
    )
    if fields:
        for name, value in fields.items():
            setattr(asset, name, value)
        db.session.commit()
        index.update_asset(asset)
    return asset


def make_share(created_by: User, assets, *, deal: Deal | None = None, **fields):
    """A share link created through the real service; `assets` is one asset or a list (a deal room)."""
    from hub.shares.service import create_share

    items = list(assets) if isinstance(assets, list | tuple) else [assets]
    fields.setdefault("recipient_company", "Acme Corp")
    return create_share(created_by=created_by, assets=items, deal=deal, **fields)


def make_pdf_asset(owner: User | None = None, *, title: str = "Pricing deck", pages: int = 3, **fields):
    """A PDF asset with `pages` pages, uploaded through the real service."""
    from hub import samples
    from hub.library.service import create_file_asset

    texts = [f"{title}, page {n}: details for the buyer." for n in range(1, pages + 1)]
    data = samples.make_pdf(title, texts)
    return create_file_asset(
        data=data, filename="document.pdf", title=title, owner=owner, uploaded_by=owner, **fields
    )


def make_api_token(user: User, name: str = "Integration") -> str:
    """Create an API token through the real service and return the raw token (shown once in the UI)."""
    from hub.api.tokens import create_token

    _token, raw = create_token(user, name)
    return raw
