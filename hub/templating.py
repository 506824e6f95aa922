"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

from flask import Flask

from hub.models import AssetType
from hub.models import DealStatus
from hub.models import Role
from hub.models import utcnow


def format_datetime(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime(fmt)
    return value.strftime("%Y-%m-%d")


def format_money(value: Decimal | float | int | None, currency: str = "USD") -> str:
    if value is None:
        return "—"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    amount = f"{float(value):,.0f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency}"


def format_duration(seconds: float | None) -> str:
    if not seconds:
        return "0 s"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec} s" if sec else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def format_percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def format_filesize(size: int | None) -> str:
    if size is None:
        return "—"
    step = 1024.0
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < step or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= step
    return f"{value:.1f} GB"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        dt=format_datetime,
        money=format_money,
        duration=format_duration,
        percent=format_percent,
        filesize=format_filesize,
    )
    app.jinja_env.globals.update(Role=Role, AssetType=AssetType, DealStatus=DealStatus, utcnow=utcnow)
