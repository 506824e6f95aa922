from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlalchemy import select

from hub.deals import importer
from hub.deals.crm_import import ImportFileError
from hub.deals.crm_import import Options
from hub.extensions import db
from hub.models import AuditEntry
from hub.models import Deal
from hub.models import DealStatus
from tests import factories
from tests.deals.conftest import fixture_bytes


def plan_for(
    data: bytes, preset: str = "auto", date_format: str = "auto", number_format: str = "auto", mapping=None
):
    csv_file, chosen, suggested = importer.open_file(data, preset)
    return importer.build_plan(csv_file, mapping or suggested, Options(chosen, date_format, number_format))


def run_import(data: bytes, **options):
    plan = plan_for(data, **options)
    summary = importer.run(plan, acting=None, label="test import")
    return plan, summary


def deal(crm_id: str) -> Deal:
    return db.session.scalar(select(Deal).where(Deal.crm_id == crm_id))


def test_salesforce_export_is_detected_and_imported(crm_reps, taxonomy):
    data = fixture_bytes("salesforce_opportunities.csv")
    csv_file, preset, mapping = importer.open_file(data)
    assert preset == "salesforce"
    assert csv_file.encoding == "utf-8-sig"
    assert mapping["crm_id"] == "Opportunity ID" and mapping["owner"] == "Opportunity Owner"

    plan, summary = run_import(data)
    assert plan.errors == []
    assert (summary.created, summary.updated, summary.unchanged) == (6, 0, 0)
    won = deal("0065e00000AbCdEAA1")
    assert won.name == "Northwind - Platform Expansion"
    assert won.account == "Northwind Traders"
    assert won.amount == Decimal("48500.00") and won.currency == "USD"
    assert won.owner == crm_reps["dana"]
    assert won.status == DealStatus.WON
    assert won.closed_on == date(2026, 3, 12) and won.created_on == date(2026, 1, 1)
    assert won.persona.name == "CFO"
    assert won.crm_stage == "Closed Won"
    lost = deal("0065e00000AbCdGAA1")
    assert lost.status == DealStatus.LOST and lost.currency == "EUR" and lost.owner == crm_reps["marco"]
    open_deal = deal("0065e00000AbCdFAA1")
    assert open_deal.status == DealStatus.OPEN
    assert open_deal.closed_on == date(2026, 5, 29)  # the expected close date of an open opportunity
    assert deal("0065e00000AbCdHAA1").amount == Decimal("18250.50")


def test_hubspot_export_is_detected_and_imported(crm_reps):
    data = fixture_bytes("hubspot_deals.csv")
    _csv, preset, mapping = importer.open_file(data)
    assert preset == "hubspot"
    assert mapping["account"] == "Associated Company" and mapping["crm_stage"] == "Deal Stage"

    plan, summary = run_import(data)
    assert plan.errors == []
    assert summary.created == 5
    globex = deal("9876543210")
    assert globex.status == DealStatus.WON and globex.closed_on == date(2026, 2, 14)
    assert globex.created_on == date(2025, 12, 1) and globex.amount == Decimal("64000.00")
    assert globex.account == "Globex Corporation" and globex.owner == crm_reps["dana"]
    initech = deal("9876543211")
    assert initech.owner == crm_reps["marco"]  # matched by email
    assert initech.amount == Decimal("15500.75") and initech.status == DealStatus.OPEN
    assert deal("9876543212").status == DealStatus.LOST and deal("9876543212").currency == "EUR"
    assert deal("9876543213").amount is None


@pytest.mark.parametrize("name", ["salesforce_opportunities.csv", "hubspot_deals.csv"])
def test_importing_the_same_file_twice_changes_nothing(crm_reps, taxonomy, name):
    data = fixture_bytes(name)
    _plan, first = run_import(data)
    before = {
        d.crm_id: (d.updated_at, d.status, d.closed_on, d.amount) for d in db.session.scalars(select(Deal))
    }
    plan, second = run_import(data)
    assert plan.count("unchanged") == first.created
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
    db.session.expire_all()
    after = {
        d.crm_id: (d.updated_at, d.status, d.closed_on, d.amount) for d in db.session.scalars(select(Deal))
    }
    assert after == before


def test_a_newer_export_updates_changed_deals(crm_reps):
    run_import(fixture_bytes("hubspot_deals.csv"))
    newer = fixture_bytes("hubspot_deals.csv").replace(
        b'"Contract Sent","Sales Pipeline","2026-05-31 00:00"',
        b'"Closed Won","Sales Pipeline","2026-03-29 00:00"',
    )
    plan, summary = run_import(newer)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 4)
    initech = deal("9876543211")
    assert initech.status == DealStatus.WON and initech.closed_on == date(2026, 3, 29)


HEADER = "Deal ID,Deal,Account,Amount,Owner,Status,Created,Closed\n"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("D-1,Alpha,Acme,12 thousand,dana.whitfield@acme.test,open,2026-01-05,", "bad amount '12 thousand'"),
        ("D-1,Alpha,Acme,1200,nobody@acme.test,open,2026-01-05,", "unknown owner 'nobody@acme.test'"),
        ("D-1,Alpha,Acme,1200,Dana Whitfield,open,2026-13-45,", "bad date '2026-13-45'"),
        (",Alpha,Acme,1200,Dana Whitfield,open,2026-01-05,", "missing CRM id"),
        ("D-1,,Acme,1200,Dana Whitfield,open,2026-01-05,", "missing deal name"),
        ("D-1,Alpha,Acme,1200,Dana Whitfield,postponed,2026-01-05,", "bad status 'postponed'"),
        ("D-1,Alpha,Acme,1200,Dana Whitfield,won,2026-01-05,someday", "bad date 'someday'"),
        ("D-1,Alpha,Acme,1200,EUR,open,2026-01-05,", "unknown owner 'EUR'"),
    ],
)
def test_each_bad_row_is_listed_with_its_line_and_the_good_rows_still_import(crm_reps, row, reason):
    good = 'D-2,Bravo,Globex,"$5,000",Marco Rossi,won,2026-01-10,2026-02-01\n'
    data = (HEADER + good + row + "\n" + good.replace("D-2", "D-3")).encode()
    plan, summary = run_import(data)
    assert [(e.line, reason in e.reason) for e in plan.errors] == [(3, True)]
    assert summary.created == 2
    assert deal("D-1") is None
    assert deal("D-2").amount == Decimal("5000.00") and deal("D-2").status == DealStatus.WON


def test_duplicate_ids_in_one_file_are_reported(crm_reps):
    data = (HEADER + "D-1,Alpha,Acme,100,,open,,\nD-1,Alpha again,Acme,100,,open,,\n").encode()
    plan = plan_for(data)
    assert [(e.line, e.reason) for e in plan.errors] == [(3, "duplicate CRM id 'D-1' (already on line 2)")]


def test_line_numbers_count_multiline_cells(crm_reps):
    data = (HEADER + 'D-1,"Alpha\nsecond line",Acme,100,,open,,\nD-2,Bravo,Acme,oops,,open,,\n').encode()
    plan = plan_for(data)
    assert [e.line for e in plan.errors] == [4]


def test_european_file_with_semicolons_and_windows_encoding(crm_reps):
    text = (
        "Deal ID;Deal;Account;Amount;Owner;Status;Created;Closed\r\n"
        "EU-1;Müller – Rollout;Müller AG;€ 9.500,00;Dana Whitfield;won;15.01.2026;31.03.2026\r\n"
        "EU-2;Größe;Café Zürich;1.234,56;marco.rossi@acme.test;open;01/02/2026;\r\n"
    )
    data = text.encode("cp1252")
    csv_file, preset, _mapping = importer.open_file(data)
    assert (csv_file.delimiter, csv_file.encoding, preset) == (";", "cp1252", "")
    plan, summary = run_import(data)
    assert plan.errors == [] and summary.created == 2
    assert plan.options.number_format == "comma" and plan.options.date_format == "dmy"
    eu1 = deal("EU-1")
    assert eu1.name == "Müller – Rollout" and eu1.amount == Decimal("9500.00") and eu1.currency == "EUR"
    assert eu1.closed_on == date(2026, 3, 31)
    assert deal("EU-2").account == "Café Zürich" and deal("EU-2").created_on == date(2026, 2, 1)


def test_tab_delimited_latin1_file(crm_reps):
    data = "Deal ID\tDeal\tAmount\tOwner\nT-1\tSão Paulo expansion\t12000 USD\tDana Whitfield\n".encode(
        "latin-1"
    )
    plan, summary = run_import(data)
    assert (
        summary.created == 1 and deal("T-1").name == "São Paulo expansion" and deal("T-1").currency == "USD"
    )


def test_chosen_date_format_decides_ambiguous_dates(crm_reps):
    data = (HEADER + "D-1,Alpha,Acme,100,,won,01/02/2026,03/04/2026\n").encode()
    run_import(data, date_format="dmy")
    assert deal("D-1").closed_on == date(2026, 4, 3)
    assert deal("D-1").created_on == date(2026, 2, 1)


def test_owner_matching_is_case_insensitive_and_reports_ambiguity(crm_reps):
    factories.make_user(email="other.dana@acme.test", name="Dana Whitfield")
    data = (
        HEADER
        + "D-1,Alpha,Acme,100,DANA.WHITFIELD@ACME.TEST,open,,\nD-2,Bravo,Acme,100,dana whitfield,open,,\n"
    ).encode()
    plan, summary = run_import(data)
    assert summary.created == 1 and deal("D-1").owner == crm_reps["dana"]
    assert "matches 2 users" in plan.errors[0].reason


def test_status_from_closed_stage_names_without_flags(crm_reps):
    data = b"Record ID,Deal Name,Deal Stage\n1,A,closedwon\n2,B,closedlost\n3,C,qualifiedtobuy\n"
    run_import(data)
    assert [deal(i).status for i in "123"] == [DealStatus.WON, DealStatus.LOST, DealStatus.OPEN]
    assert deal("1").closed_on is not None  # closed without a date: closed today


def test_unknown_persona_or_stage_is_a_row_error(crm_reps, taxonomy):
    data = b"Deal ID,Deal,Persona,Buyer Stage\n1,A,CFO,Decision\n2,B,Astronaut,Decision\n3,C,CFO,Launch\n"
    plan, summary = run_import(data)
    assert summary.created == 1
    assert [e.reason for e in plan.errors] == [
        "unknown persona 'Astronaut'",
        "unknown buyer-journey stage 'Launch'",
    ]
    assert deal("1").persona.name == "CFO" and deal("1").stage.name == "Decision"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"Deal ID,Deal\n", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "does not look like a CSV"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(app, data, message):
    with pytest.raises(ImportFileError, match=message):
        importer.open_file(data)


def test_mapping_must_name_the_deal_name_column(app):
    csv_file, _preset, mapping = importer.open_file(b"Foo,Bar\n1,2\n")
    with pytest.raises(ImportFileError, match="Deal name"):
        importer.build_plan(csv_file, mapping, Options())


# a Salesforce report as it is exported by default: no id column, a BOM, CRLF, totals and a footer
SALESFORCE_REPORT = (
    "\ufeff"
    + '"Opportunity Name","Account Name","Opportunity Owner","Stage","Amount","Close Date","Created Date"\r\n'
    '"Northwind - Expansion","Northwind","Dana Whitfield","Closed Won","USD 48,500.00","11/03/2026","8/14/2026"\r\n'
    '"Contoso \u2013 New Logo","Contoso","Marco Rossi","Closed Lost","$12,000.00","10/21/2026","7/2/2026"\r\n'
    '"Initech Renewal","Initech","Dana Whitfield","Negotiation/Review","USD 7,250.50","12/15/2026","9/30/2026"\r\n'
    '"Initech Renewal","Initech","Dana Whitfield","Prospecting","","1/15/2027","11/1/2026"\r\n'
    "\r\n"
    '"Grand Totals (4 records)"\r\n'
    "\r\n"
    '"Confidential Information - Do Not Distribute"\r\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n'
).encode()


def test_salesforce_report_without_ids_matches_deals_by_name(crm_reps):
    plan, summary = run_import(SALESFORCE_REPORT)
    assert plan.options.preset == "salesforce"
    assert summary.created == 3
    northwind = deal("Northwind - Expansion")
    assert northwind.status == DealStatus.WON and northwind.amount == Decimal("48500.00")
    assert northwind.owner_id == crm_reps["dana"].id and northwind.closed_on == date(2026, 11, 3)
    assert deal("Contoso \u2013 New Logo").status == DealStatus.LOST
    reasons = {e.line: e.reason for e in plan.errors}
    assert "same deal name as line 4" in reasons[5]
    # the totals and footer lines are neither deals nor errors
    assert list(reasons) == [5]
    _again, summary = run_import(SALESFORCE_REPORT)
    assert summary.created == 0 and summary.unchanged == 3
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 3


def test_long_deal_names_make_distinct_ids_that_fit(crm_reps):
    first, second = "Acme " + "expansion " * 10 + "one", "Acme " + "expansion " * 10 + "two"
    _plan, summary = run_import(f"Opportunity Name,Amount\n{first},10\n{second},20\n".encode())
    assert summary.created == 2
    ids = db.session.scalars(select(Deal.crm_id)).all()
    assert len(set(ids)) == 2 and all(len(i) <= 64 for i in ids)


def test_import_writes_one_audit_entry(crm_reps):
    run_import(fixture_bytes("hubspot_deals.csv"))
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "deals.import")).all()
    assert len(entries) == 1 and "5 created" in entries[0].detail
