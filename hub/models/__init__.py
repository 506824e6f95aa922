"""The domain model. Importing this package registers every table on Base.metadata."""

from hub.models.asset import Asset
from hub.models.asset import AssetStatus
from hub.models.asset import AssetType
from hub.models.asset import AssetVersion
from hub.models.asset import Blob
from hub.models.asset import ExtractionStatus
from hub.models.asset import Tag
from hub.models.audit import AuditEntry
from hub.models.base import Base
from hub.models.base import utcnow
from hub.models.deal import Deal
from hub.models.deal import DealAsset
from hub.models.deal import DealAssetSource
from hub.models.deal import DealStatus
from hub.models.event import EventKind
from hub.models.event import UsageEvent
from hub.models.feedback import ContentRequest
from hub.models.feedback import Feedback
from hub.models.feedback import RequestStatus
from hub.models.share import PageView
from hub.models.share import ShareItem
from hub.models.share import ShareLink
from hub.models.share import ShareVisit
from hub.models.share import token_digest
from hub.models.taxonomy import Persona
from hub.models.taxonomy import Stage
from hub.models.user import ApiToken
from hub.models.user import Role
from hub.models.user import User
from hub.models.user import hash_token

__all__ = [
    "ApiToken",
    "Asset",
    "AssetStatus",
    "AssetType",
    "AssetVersion",
    "AuditEntry",
    "Base",
    "Blob",
    "ContentRequest",
    "Deal",
    "DealAsset",
    "DealAssetSource",
    "DealStatus",
    "EventKind",
    "ExtractionStatus",
    "Feedback",
    "PageView",
    "Persona",
    "RequestStatus",
    "Role",
    "ShareItem",
    "ShareLink",
    "ShareVisit",
    "Stage",
    "Tag",
    "UsageEvent",
    "User",
    "hash_token",
    "token_digest",
    "utcnow",
]
