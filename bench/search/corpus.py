"""Synthetic sales collateral: realistic titles and a few hundred words of text per asset, loaded in bulk."""

from __future__ import annotations

import random
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import insert

from hub.extensions import db
from hub.models import Asset
from hub.models import AssetType
from hub.models import AssetVersion
from hub.models import Blob
from hub.models import Deal
from hub.models import DealAsset
from hub.models import DealAssetSource
from hub.models import DealStatus
from hub.models import Persona
from hub.models import Stage
from hub.models.asset import asset_persona
from hub.models.asset import asset_stage

TOPICS = (
    "pricing security compliance onboarding integration analytics dashboard workflow automation migration "
    "implementation roadmap procurement budget savings efficiency productivity scalability reliability uptime "
    "support training adoption renewal expansion churn retention revenue pipeline forecast quota territory "
    "competitor comparison differentiation benchmark performance latency encryption privacy gdpr hipaa sox "
    "audit governance risk identity access sso mfa api webhook connector salesforce hubspot sap oracle "
    "warehouse lakehouse reporting insight visibility collaboration approval contract negotiation discount "
    "licensing subscription tier enterprise midmarket startup healthcare finance banking insurance retail "
    "manufacturing logistics education government telecom energy pharma biotech hospitality media "
    "customer success story outcome result return investment payback roi tco value business case executive "
    "summary overview datasheet architecture deployment cloud hybrid premises kubernetes container "
    "observability monitoring alerting incident response resilience backup recovery disaster continuity "
    "sustainability carbon emissions supplier vendor partner channel reseller marketplace ecosystem "
    "mobile offline field service technician inventory supply chain demand planning forecasting pricing "
    "quote configure cpq invoice billing payment collections cash flow close consolidation treasury"
).split()
FILLER = (
    "the and of to for with our your a in on is that this by from as at are be can will it more than "
    "teams team platform customers customer company companies leaders users data time faster across every "
    "help helps helped reduce reduced increase increased improve improved deliver delivers simple secure "
    "real world proven trusted leading modern complete unified single view end to end best practice"
).split()
TITLE_FORMS = (
    "{a} {b} guide for {c}",
    "{c} case study: {a} and {b}",
    "{a} battle card vs competitors",
    "{a} datasheet",
    "How {c} teams improve {a}",
    "{a} {b} whitepaper",
    "{c} {a} one-pager",
    "{a} ROI calculator walkthrough",
)
INDUSTRIES = (
    "healthcare finance banking insurance retail manufacturing logistics education government telecom".split()
)
TYPES = list(AssetType)


SYLLABLES = "ka lo mi ne ra tu vi so de pa li ro fen tar mon quel bri sta gor lin".split()


def _zipf(words: list[str], exponent: float) -> tuple[list[str], list[float]]:
    weights = []
    total = 0.0
    for rank, _word in enumerate(words, start=1):
        total += 1.0 / rank**exponent
        weights.append(total)
    return words, weights


class Vocabulary:
    """Function words and everyday business words, sales topics, and a long tail of names and jargon."""

    def __init__(self, rng: random.Random):
        topics = list(dict.fromkeys(TOPICS))
        rng.shuffle(topics)
        tail = list(dict.fromkeys("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(30000)))
        self.filler = _zipf(list(FILLER), 0.8)
        self.topics = _zipf(topics, 1.0)
        self.tail = _zipf(tail, 1.05)
        self.topic_words = topics


def text_for(rng: random.Random, vocab: Vocabulary, length: int) -> str:
    """Mostly common words, a document's own three focus topics, background topics, and rare words."""
    focus = rng.sample(vocab.topic_words, 3)
    tokens = []
    for _ in range(length):
        roll = rng.random()
        if roll < 0.55:
            words, weights = vocab.filler
        elif roll < 0.75:
            tokens.append(rng.choice(focus))
            continue
        elif roll < 0.9:
            words, weights = vocab.topics
        else:
            words, weights = vocab.tail
        tokens.append(rng.choices(words, cum_weights=weights)[0])
    sentences = []
    for start in range(0, len(tokens), 14):
        sentence = " ".join(tokens[start : start + 14])
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
    return " ".join(sentences)


def load(count: int, *, seed: int = 7, progress=print) -> None:
    """Insert `count` assets with text, personas, stages, and a few thousand deals using them."""
    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    personas = [
        Persona(name=n, position=i)
        for i, n in enumerate(["CFO", "CIO", "CISO", "VP Sales", "Ops lead", "End user"])
    ]
    stages = [
        Stage(name=n, position=i)
        for i, n in enumerate(["Awareness", "Consideration", "Decision", "Onboarding", "Advocacy"])
    ]
    db.session.add_all(personas + stages)
    db.session.add(Blob(sha256="0" * 64, size=1, mime_type="text/plain"))
    db.session.commit()
    base = datetime(2024, 1, 1)
    batch = 2000
    for start in range(1, count + 1, batch):
        ids = range(start, min(start + batch, count + 1))
        assets, versions, ap, ast = [], [], [], []
        for asset_id in ids:
            a, b = rng.sample(TOPICS, 2)
            title = rng.choice(TITLE_FORMS).format(
                a=a.capitalize(), b=b, c=rng.choice(INDUSTRIES).capitalize()
            )
            created = base + timedelta(minutes=asset_id * 7)
            expired = rng.random() < 0.03
            assets.append(
                {
                    "id": asset_id,
                    "title": title,
                    "description": text_for(rng, vocab, 25),
                    "asset_type": rng.choice(TYPES),
                    "status": "archived" if rng.random() < 0.05 else "published",
                    "expires_on": date(2025, 1, 1) if expired else None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            versions.append(
                {
                    "id": asset_id,
                    "asset_id": asset_id,
                    "number": 1,
                    "blob_sha256": "0" * 64,
                    "filename": "doc.txt",
                    "mime_type": "text/plain",
                    "size": 1,
                    "extracted_text": text_for(rng, vocab, rng.randint(150, 450)),
                    "extraction_status": "ok",
                    "created_at": created,
                }
            )
            for persona in rng.sample(personas, rng.randint(1, 2)):
                ap.append({"asset_id": asset_id, "persona_id": persona.id})
            for stage in rng.sample(stages, rng.randint(1, 2)):
                ast.append({"asset_id": asset_id, "stage_id": stage.id})
        db.session.execute(insert(Asset), assets)
        db.session.execute(insert(AssetVersion), versions)
        db.session.execute(
            Asset.__table__.update().where(Asset.id.in_(list(ids))).values(current_version_id=Asset.id)
        )
        db.session.execute(insert(asset_persona), ap)
        db.session.execute(insert(asset_stage), ast)
        db.session.commit()
        progress(f"  loaded {ids[-1]:,} of {count:,} assets")
    _deals(rng, count, personas, stages)


def _deals(rng: random.Random, count: int, personas, stages) -> None:
    deals, uses = [], []
    for deal_id in range(1, max(50, count // 20) + 1):
        status = rng.choice([DealStatus.WON, DealStatus.LOST, DealStatus.OPEN])
        deals.append(
            {
                "id": deal_id,
                "crm_id": f"BENCH-{deal_id}",
                "name": f"Deal {deal_id}",
                "status": status,
                "currency": "USD",
                "persona_id": rng.choice(personas).id,
                "stage_id": rng.choice(stages).id,
                "closed_on": date(2026, 6, 1) if status != DealStatus.OPEN else None,
                "created_at": datetime(2026, 1, 1),
                "updated_at": datetime(2026, 1, 1),
            }
        )
        # popular assets are used in many deals, so some reach a proven win rate
        for asset_id in {min(count, int(rng.paretovariate(1.2))) for _ in range(6)}:
            uses.append(
                {
                    "deal_id": deal_id,
                    "asset_id": asset_id,
                    "source": DealAssetSource.MEETING,
                    "used_at": datetime(2026, 2, 1),
                }
            )
    db.session.execute(insert(Deal), deals)
    db.session.execute(insert(DealAsset), uses)
    db.session.commit()
