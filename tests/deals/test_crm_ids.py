"""One Salesforce opportunity, written in its 15- or 18-character form, is one deal in Hub."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from hub.deals.crm_ids import canonical_crm_id
from hub.extensions import db
from hub.models import Deal
from tests.deals.test_crm_import import run_import

# pairs as Salesforce shows them: the 15-character id and the 18 characters of the same record
SAME_RECORD = [
    ("001A0000006Vm9r", "001A0000006Vm9rIAC"),
    ("0065e00000AbCdE", "0065e00000AbCdEAAV"),
    ("006Dn000004FxQk", "006Dn000004FxQkIAK"),
]


@pytest.mark.parametrize(("id15", "id18"), SAME_RECORD[1:])
def test_both_forms_of_an_opportunity_id_store_as_the_18_character_one(id15, id18):
    assert canonical_crm_id(id15) == id18
    assert canonical_crm_id(id18) == id18
    # a spreadsheet that changed the case: the checksum gives the letters back
    assert canonical_crm_id(id18.lower()) == id18
    assert canonical_crm_id(id18.upper()) == id18


def test_other_ids_are_kept_exactly():
    assert canonical_crm_id(SAME_RECORD[0][0]) == SAME_RECORD[0][0]  # an account, not an opportunity
    assert canonical_crm_id("9876543210") == "9876543210"  # HubSpot
    assert canonical_crm_id("Acme / Globex renewal") == "Acme / Globex renewal"
    # 18 characters whose case disagrees with their checksum: someone else's id, not retyped
    assert canonical_crm_id("0065e00000AbCdEAA1") == "0065e00000AbCdEAA1"
    assert canonical_crm_id("0065e00000aBcDeAAV") == "0065e00000aBcDeAAV"


def _csv(crm_id: str, amount: str) -> bytes:
    header = "Opportunity ID,Opportunity Name,Account Name,Amount,Stage,Close Date\n"
    return (header + f"{crm_id},Northwind - Platform,Northwind,{amount},Prospecting,3/12/2026\n").encode()


def test_a_report_export_then_a_data_loader_export_update_one_deal(app):
    _plan, first = run_import(_csv("0065e00000AbCdE", "48500"), preset="salesforce")
    _plan, second = run_import(_csv("0065e00000AbCdEAAV", "51000"), preset="salesforce")
    assert (first.created, second.created, second.updated) == (1, 0, 1)
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 1
    stored = db.session.scalar(select(Deal))
    assert stored.crm_id == "0065e00000AbCdEAAV" and str(stored.amount) == "51000.00"


def test_one_file_with_both_forms_reports_the_duplicate(app):
    data = _csv("0065e00000AbCdE", "48500") + _csv("0065e00000abcdeaav", "51000").split(b"\n", 1)[1]
    plan, _summary = run_import(data, preset="salesforce")
    assert len(plan.errors) == 1 and plan.errors[0].line == 3
    assert "duplicate CRM id" in plan.errors[0].reason


def test_the_migration_brings_stored_15_character_ids_to_18(app):
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from hub import ROOT
    from hub.models import Role
    from tests import factories

    owner = factories.make_user(Role.REP)
    for crm_id in ("0065e00000AbCdE", "006Dn000004FxQk", "006Dn000004FxQkIAK", "HS-1"):
        db.session.add(Deal(crm_id=crm_id, name=crm_id, owner=owner))
    db.session.commit()
    path = ROOT / "migrations" / "versions" / "b7e3c19d5a40_deal_salesforce_ids_in_18_characters.py"
    namespace: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - the project's own migration
    with db.engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            namespace["upgrade"]()
    stored = set(db.session.scalars(text("SELECT crm_id FROM deal")))
    # both forms of 006Dn… were already two deals: both stay, nothing is merged or lost
    assert stored == {"0065e00000AbCdEAAV", "006Dn000004FxQk", "006Dn000004FxQkIAK", "HS-1"}
