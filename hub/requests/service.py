"""Content requests from reps to marketing, and rep feedback on assets."""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy import case
from sqlalchemy import select

from hub import audit
from hub import tracking
from hub.extensions import db
from hub.models import Asset
from hub.models import ContentRequest
from hub.models import EventKind
from hub.models import Feedback
from hub.models import Persona
from hub.models import RequestStatus
from hub.models import Stage
from hub.models import User
from hub.models import utcnow

ACTIVE = (RequestStatus.OPEN, RequestStatus.IN_PROGRESS)
CLOSED = (RequestStatus.DONE, RequestStatus.DECLINED)


class RequestError(ValueError):
    """A user-facing problem with a request or a rating."""


def _term(model, term_id: int | None):
    if not term_id:
        return None
    term = db.session.get(model, term_id)
    if term is None or term.is_retired:
        raise RequestError(f"That {model.__name__.lower()} is not available any more; choose another.")
    return term


def file_request(
    *,
    requester: User,
    title: str,
    details: str | None = None,
    persona_id: int | None = None,
    stage_id: int | None = None,
) -> ContentRequest:
    title = (title or "").strip()
    if not title:
        raise RequestError("Say in a few words what content you need.")
    item = ContentRequest(
        title=title[:200],
        details=(details or "").strip() or None,
        persona=_term(Persona, persona_id),
        stage=_term(Stage, stage_id),
        requested_by=requester,
        status=RequestStatus.OPEN,
    )
    db.session.add(item)
    db.session.commit()
    return item


def answer_request(
    item: ContentRequest,
    *,
    acting: User,
    status: RequestStatus,
    response: str | None = None,
    asset_id: int | None = None,
) -> ContentRequest:
    """Answer, change status, link the asset that fulfils it; done and declined close the request."""
    asset = None
    if asset_id:
        asset = db.session.get(Asset, asset_id)
        if asset is None:
            raise RequestError(f"There is no asset with ID {asset_id}.")
    if status is RequestStatus.DONE and asset is None and not (response or "").strip():
        raise RequestError("To mark a request done, link the asset that answers it or write an answer.")
    item.status = status
    item.response = (response or "").strip() or None
    item.asset = asset
    item.answered_by = acting
    if status.is_closed:
        item.closed_at = item.closed_at or utcnow()
    else:
        item.closed_at = None
    audit.log(
        "request.answer",
        user_id=acting.id,
        target_type="content_request",
        target_id=item.id,
        detail=f"status={status.value}" + (f" asset={asset.id}" if asset else ""),
    )
    db.session.commit()
    return item


def requests_query(viewer: User, show: str = "active") -> Select:
    """Requests the viewer may see (reps: their own), open ones first, newest first."""
    stmt = select(ContentRequest)
    if not viewer.can_manage_content:
        stmt = stmt.where(ContentRequest.requested_by_id == viewer.id)
    if show == "active":
        stmt = stmt.where(ContentRequest.status.in_(ACTIVE))
    elif show == "closed":
        stmt = stmt.where(ContentRequest.status.in_(CLOSED))
    order = case(
        (ContentRequest.status == RequestStatus.OPEN, 0),
        (ContentRequest.status == RequestStatus.IN_PROGRESS, 1),
        else_=2,
    )
    return stmt.order_by(order, ContentRequest.created_at.desc(), ContentRequest.id.desc())


def can_see(viewer: User, item: ContentRequest) -> bool:
    return viewer.can_manage_content or item.requested_by_id == viewer.id


def record_feedback(*, asset: Asset, user: User, rating: int, comment: str | None = None) -> Feedback:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise RequestError("Choose a rating from 1 (poor) to 5 (excellent).")
    feedback = Feedback(asset=asset, user=user, rating=rating, comment=(comment or "").strip() or None)
    db.session.add(feedback)
    tracking.add(EventKind.FEEDBACK, user_id=user.id, asset_id=asset.id)
    db.session.commit()
    return feedback
