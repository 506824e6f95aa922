"""Configuration: the HUB_* environment turned into Flask config, with instance-folder defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a number, got {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def load_secret_key(instance_path: str) -> str:
    """Return HUB_SECRET_KEY, or a key generated once and kept in the instance folder."""
    from_env = os.environ.get("HUB_SECRET_KEY")
    if from_env:
        return from_env
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    # O_EXCL so two workers starting together agree on one key
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def from_environment(instance_path: str) -> dict:
    """Build the config mapping; the environment is read here and nowhere else."""
    instance = Path(instance_path)
    default_db = f"sqlite:///{instance / 'hub.db'}"
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("HUB_DATABASE_URL") or default_db,
        "HUB_STORAGE": os.environ.get("HUB_STORAGE") or str(instance / "files"),
        "HUB_S3_ENDPOINT_URL": os.environ.get("HUB_S3_ENDPOINT_URL") or None,
        "HUB_S3_REGION": os.environ.get("HUB_S3_REGION") or "us-east-1",
        "HUB_INDEX_DIR": os.environ.get("HUB_INDEX_DIR") or str(instance / "index"),
        "HUB_CACHE_DIR": os.environ.get("HUB_CACHE_DIR") or str(instance / "cache"),
        "HUB_MAX_UPLOAD_MB": _int("HUB_MAX_UPLOAD_MB", 100),
        # parsing an upload and drawing previews run in a child process with these ceilings, so a
        # hostile or broken file can neither hang a worker nor exhaust its memory
        "HUB_EXTRACT_SECONDS": _float("HUB_EXTRACT_SECONDS", 60.0),
        "HUB_EXTRACT_MEMORY_MB": _int("HUB_EXTRACT_MEMORY_MB", 1024),
        "HUB_EXTRACT_MAX_CHARS": _int("HUB_EXTRACT_MAX_CHARS", 2_000_000),
        "HUB_MAX_EXPANDED_MB": _int("HUB_MAX_EXPANDED_MB", 1024),
        "HUB_RENDER_SECONDS": _float("HUB_RENDER_SECONDS", 30.0),
        "HUB_RENDER_MEMORY_MB": _int("HUB_RENDER_MEMORY_MB", 1024),
        # LibreOffice converting a deck for its slide images needs far more time and address space than a page
        "HUB_CONVERT_SECONDS": _float("HUB_CONVERT_SECONDS", 60.0),
        "HUB_CONVERT_MEMORY_MB": _int("HUB_CONVERT_MEMORY_MB", 2048),
        "HUB_SHARE_DEFAULT_DAYS": _int("HUB_SHARE_DEFAULT_DAYS", 30),
        "HUB_EXPIRY_WARNING_DAYS": _int("HUB_EXPIRY_WARNING_DAYS", 30),
        # search ranking: how much proven performance moves an asset up (0 = plain relevance)
        "HUB_RANK_PERFORMANCE_WEIGHT": _float("HUB_RANK_PERFORMANCE_WEIGHT", 0.5),
        "HUB_RANK_MIN_DEALS": _int("HUB_RANK_MIN_DEALS", 5),
        # share of the performance score that comes from usage (the rest from win rate)
        "HUB_RANK_USAGE_SHARE": _float("HUB_RANK_USAGE_SHARE", 0.3),
        "HUB_RANK_USAGE_DAYS": _int("HUB_RANK_USAGE_DAYS", 180),
        # how many of the most relevant hits the performance blend may reorder
        "HUB_RANK_DEPTH": _int("HUB_RANK_DEPTH", 200),
        "HUB_RANK_STATS_TTL": _int("HUB_RANK_STATS_TTL", 60),
        "HUB_INDEX_LOCK_TIMEOUT": _float("HUB_INDEX_LOCK_TIMEOUT", 10.0),
        # characters of each document's text kept in the index for result snippets
        "HUB_SEARCH_EXCERPT_CHARS": _int("HUB_SEARCH_EXCERPT_CHARS", 20000),
        "HUB_RATELIMIT_ENABLED": _bool("HUB_RATELIMIT_ENABLED", True),
        "HUB_RATELIMIT_STORAGE_URI": os.environ.get("HUB_RATELIMIT_STORAGE_URI") or "memory://",
        # share viewer: a ceiling per client address over every viewer route, and a budget for beacons
        # per address and link (a page sends one every few seconds while it is open)
        "HUB_RATELIMIT_SHARE": os.environ.get("HUB_RATELIMIT_SHARE") or "600/minute",
        "HUB_RATELIMIT_BEACON": os.environ.get("HUB_RATELIMIT_BEACON") or "120/minute",
        "HUB_RATELIMIT_SHARE_FORM": os.environ.get("HUB_RATELIMIT_SHARE_FORM") or "30/minute",
        # failed sign-ins per account, from any address: slows guessing spread over many addresses
        "HUB_RATELIMIT_LOGIN_ACCOUNT": os.environ.get("HUB_RATELIMIT_LOGIN_ACCOUNT") or "10/15 minutes",
        # how many reverse proxies in front of Hub to trust for X-Forwarded-For/-Proto/-Host/-Prefix
        "HUB_PROXY_FIX": _int("HUB_PROXY_FIX", 0),
        # threads per worker process serving pages under hub.asgi; 0 picks by database and storage
        "HUB_PAGE_THREADS": _int("HUB_PAGE_THREADS", 0),
        "HUB_SECURE_COOKIES": _bool("HUB_SECURE_COOKIES", False),
        "HUB_PUBLIC_URL": (os.environ.get("HUB_PUBLIC_URL") or "").rstrip("/") or None,
    }
