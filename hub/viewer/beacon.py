"""Parsing of page-timing beacons: small JSON bodies from an untrusted browser."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from hub.routing import MAX_ID

MAX_BODY_BYTES = 4096
MAX_PAGES_PER_BEACON = 200


class BeaconError(ValueError):
    """The body is not a valid beacon."""


@dataclass(frozen=True)
class Beacon:
    asset_id: int
    # cumulative seconds per page, as counted by the page since the visit began
    pages: dict[int, float]


def _reject_constant(name: str) -> float:
    raise BeaconError(f"{name} is not a number")


def parse_beacon(body: bytes) -> Beacon:
    """Parse `{"asset": 12, "pages": {"1": 4.5, "2": 30}}`, sent as JSON or text/plain."""
    if not body:
        raise BeaconError("empty body")
    if len(body) > MAX_BODY_BYTES:
        raise BeaconError("body too large")
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # RecursionError: arrays nested a couple of thousand deep still fit in the size limit
        raise BeaconError("malformed JSON") from exc
    if not isinstance(data, dict):
        raise BeaconError("expected an object")
    asset_id = data.get("asset")
    if not _is_int(asset_id) or not 1 <= asset_id <= MAX_ID:
        raise BeaconError("asset must be a positive integer")
    raw_pages = data.get("pages")
    if not isinstance(raw_pages, dict) or not raw_pages:
        raise BeaconError("pages must be a non-empty object")
    if len(raw_pages) > MAX_PAGES_PER_BEACON:
        raise BeaconError("too many pages")
    pages: dict[int, float] = {}
    for key, value in raw_pages.items():
        # isascii: "²" is a digit to isdigit() but not to int()
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 6):
            raise BeaconError("page numbers must be positive integers")
        seconds = _seconds(value)
        if seconds < 0:
            raise BeaconError("seconds cannot be negative")
        pages[int(key)] = seconds
    return Beacon(asset_id=asset_id, pages=pages)


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BeaconError("seconds must be a number")
    try:
        seconds = float(value)
    except OverflowError as exc:  # an integer of hundreds of digits
        raise BeaconError("seconds must be a finite number") from exc
    if not math.isfinite(seconds):
        raise BeaconError("seconds must be a finite number")
    return seconds


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
