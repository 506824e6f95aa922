"""Real documents for the demo collateral, each with its own text."""

from __future__ import annotations

import random
from datetime import date
from datetime import timedelta

from hub.demo.catalog import TOPICS
from hub.demo.catalog import DemoAsset
from hub.samples import make_docx
from hub.samples import make_pdf
from hub.samples import make_pptx


def _paragraphs(rng: random.Random, item: DemoAsset, count: int) -> list[str]:
    pool = [s for topic in item.topics for s in TOPICS[topic]]
    rng.shuffle(pool)
    chunks = [pool[i::count] for i in range(count)]
    return [f"{item.summary} " + " ".join(chunk) for chunk in chunks if chunk]


def document(rng: random.Random, item: DemoAsset) -> tuple[bytes, str]:
    slug = "".join(c if c.isalnum() else "-" for c in item.title.lower()).strip("-")[:60]
    if item.kind == "pdf":
        return make_pdf(item.title, _paragraphs(rng, item, rng.randint(2, 5))), f"{slug}.pdf"
    if item.kind == "docx":
        return make_docx(item.title, _paragraphs(rng, item, 4)), f"{slug}.docx"
    if item.kind == "pptx":
        bodies = _paragraphs(rng, item, rng.randint(4, 7))
        slides = [(f"{item.title.split(':')[0]} ({n})", body) for n, body in enumerate(bodies, 1)]
        return make_pptx(item.title, slides), f"{slug}.pptx"
    text = f"{item.title}\n\n" + "\n\n".join(_paragraphs(rng, item, 3))
    return text.encode(), f"{slug}.txt"


def expiry(rng: random.Random, item: DemoAsset, today: date) -> date | None:
    if "2025" in item.title:
        return today - timedelta(days=20)  # an outdated asset reps should no longer see
    if "Pricing" in item.title or "Battle Card" in item.title:
        return today + timedelta(days=rng.randint(5, 25))  # due for review soon
    return None if rng.random() < 0.6 else today + timedelta(days=rng.randint(60, 365))
