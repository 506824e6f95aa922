"""CRM exports as the real products and Excel write them, through the web import, the CLI and the API."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlalchemy import select

from hub.deals import importer
from hub.deals.crm_import import ImportFileError
from hub.deals.crm_import import Options
from hub.extensions import db
from hub.models import Deal
from hub.models import DealStatus
from tests import factories

SF_HEADER = (
    '"Opportunity Owner","Account Name","Opportunity Name","Stage","Amount","Close Date","Created Date"'
)
SF_FOOTER = (
    '"Grand Totals (3 records)","","","","USD 70,750.50","",""\r\n'
    "\r\n"
    '"Confidential Information - Do Not Distribute"\r\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n'
)
# a Salesforce report exported by a US user: BOM, CRLF, currency-prefixed amounts, totals and footer
SALESFORCE_US = (
    "\ufeff" + SF_HEADER + "\r\n"
    '"dana WHITFIELD","Acme","Acme - Rollout","Closed Won","USD 12,500.00","3/31/2026","1/15/2026"\r\n'
    '"Marco Rossi","Globex","Globex - Pilot","Negotiation/Review","USD 58,000.00","6/30/2026","2/1/2026"\r\n'
    '"Marco Rossi","Initech","Initech - Renewal","Closed Lost","USD 250.50","2/13/2026","1/2/2026"\r\n'
    + SF_FOOTER
).encode()
# the same report from a user whose locale writes 01/03/2026 for 1 March: nothing in it tells which
SALESFORCE_AMBIGUOUS = (
    "\ufeff" + SF_HEADER + "\r\n"
    '"Dana Whitfield","Acme","Acme - Rollout","Closed Won","GBP 12,500.00","01/03/2026","05/02/2026"\r\n'
    '"Marco Rossi","Globex","Globex - Pilot","Prospecting","GBP 8,000.00","10/12/2026","02/03/2026"\r\n'
    + SF_FOOTER
).encode()


def deal(crm_id: str) -> Deal | None:
    return db.session.scalar(select(Deal).where(Deal.crm_id == crm_id))


def deal_count() -> int:
    return db.session.scalar(select(func.count(Deal.id)))


def plan_for(data: bytes, **options) -> importer.Plan:
    csv_file, preset, mapping = importer.open_file(data)
    return importer.build_plan(csv_file, mapping, Options(preset, **options))


def run_import(data: bytes, **options) -> importer.Plan:
    plan = plan_for(data, **options)
    importer.run(plan, acting=None, label="test")
    return plan


def upload(client, data: bytes, name: str = "export.csv"):
    return client.post(
        "/deals/import",
        data={"file": (io.BytesIO(data), name), "preset": "auto"},
        content_type="multipart/form-data",
    )


def web_import(client, data: bytes) -> tuple[str, str]:
    """Upload, accept the suggested mapping, and confirm; returns (preview html, result html)."""
    response = upload(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    import_id = re.search(r"/deals/import/([0-9a-f]{32})/map", response.headers["Location"]).group(1)
    preview = client.get(f"/deals/import/{import_id}/preview")
    assert preview.status_code == 200
    done = client.post(f"/deals/import/{import_id}/run", follow_redirects=True)
    assert done.status_code == 200
    return preview.get_data(as_text=True), done.get_data(as_text=True)


def test_salesforce_report_through_the_web_twice(marketer_client, crm_reps):
    preview, done = web_import(marketer_client, SALESFORCE_US)
    assert "Left out lines 5, 7, 8" in preview  # Grand Totals, Confidential, Copyright
    assert "3 created, 0 updated, 0 unchanged." in done
    acme = deal("Acme - Rollout")
    assert acme.owner == crm_reps["dana"] and acme.amount == Decimal("12500.00") and acme.currency == "USD"
    assert acme.status == DealStatus.WON and acme.closed_on == date(2026, 3, 31)
    assert deal("Initech - Renewal").status == DealStatus.LOST

    _preview, again = web_import(marketer_client, SALESFORCE_US)
    assert "0 created, 0 updated, 3 unchanged." in again
    newer = SALESFORCE_US.replace(b"USD 58,000.00", b"USD 61,000.00")
    _preview, updated = web_import(marketer_client, newer)
    assert "0 created, 1 updated, 2 unchanged." in updated
    assert deal_count() == 3 and deal("Globex - Pilot").amount == Decimal("61000.00")


def test_ambiguous_dates_are_asked_on_the_web_before_importing(marketer_client, crm_reps):
    response = upload(marketer_client, SALESFORCE_AMBIGUOUS)
    import_id = re.search(r"/deals/import/([0-9a-f]{32})/map", response.headers["Location"]).group(1)
    preview = marketer_client.get(f"/deals/import/{import_id}/preview").get_data(as_text=True)
    assert "Month first or day first?" in preview
    assert "Day first: 05/02/2026 is 5 February 2026" in preview
    assert "Month first: 05/02/2026 is 2 May 2026" in preview
    refused = marketer_client.post(f"/deals/import/{import_id}/run", follow_redirects=True)
    assert "Choose how to read the dates" in refused.get_data(as_text=True) and deal_count() == 0

    marketer_client.post(f"/deals/import/{import_id}/dates", data={"date_format": "dmy"})
    preview = marketer_client.get(f"/deals/import/{import_id}/preview").get_data(as_text=True)
    assert "Month first or day first?" not in preview
    marketer_client.post(f"/deals/import/{import_id}/run")
    acme = deal("Acme - Rollout")
    assert acme.closed_on == date(2026, 3, 1) and acme.created_on == date(2026, 2, 5)
    assert acme.currency == "GBP"


def test_ambiguous_dates_stop_the_command_until_a_format_is_given(runner, crm_reps, tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(SALESFORCE_AMBIGUOUS)
    result = runner.invoke(args=["import-deals", str(path)])
    assert result.exit_code == 1 and "05/02/2026, 02/03/2026, 01/03/2026" in result.output
    assert "--date-format dmy" in result.output and deal_count() == 0
    result = runner.invoke(args=["import-deals", str(path), "--date-format", "dmy"])
    assert result.exit_code == 0, result.output
    assert "Left out the report's totals and footer: lines 4, 6, 7." in result.output
    assert deal("Globex - Pilot").closed_on == date(2026, 12, 10)


PIPEDRIVE = (
    '"Deal - ID","Deal - Title","Deal - Organization","Deal - Value","Deal - Currency","Deal - Owner",'
    '"Deal - Stage","Deal - Status","Deal - Deal created","Deal - Expected close date"\n'
    '"101","Acme expansion","Acme","12500","EUR","Dana Whitfield","Negotiations Started","won",'
    '"2026-01-05 10:20:33","2026-03-01"\n'
    '"102","Globex trial","Globex","800.5","USD","marco.rossi@ACME.test","Qualified","open",'
    '"2026-02-05 08:00:00","2026-07-01"\n'
    '"103","Hooli lost","Hooli","3000","USD","Marco Rossi","Proposal Made","lost","2026-01-10 09:00:00",""\n'
    '"104","Deleted one","Umbrella","100","USD","Marco Rossi","Qualified","deleted","2026-01-10 09:00:00",""\n'
)
ZOHO = (
    "Record Id,Deal Owner,Deal Name,Amount,Stage,Closing Date,Account Name,Created Time,Currency\n"
    'zcrm_4876876000000123456,Dana Whitfield,Acme Deal,"12,500.00",Closed Won,2026-03-31,Acme,'
    "2026-01-05 10:20:33,USD\n"
    "zcrm_4876876000000123457,Marco Rossi,Globex Deal,9000,Closed-Lost to Competition,2026-02-28,Globex,"
    "2026-01-06 11:00:00,EUR\n"
)
DYNAMICS = (
    "(Do Not Modify) Opportunity,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,Topic,"
    "Potential Customer,Est. Revenue,Currency,Est. Close Date,Status,Owner,Created On\n"
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301,kJ8+Zx==,3/20/2026 4:05 PM,Acme 500 seats,Acme,"
    '"$12,500.00",US Dollar,3/31/2026,Won,Dana Whitfield,1/13/2026 9:00 AM\n'
    "3f2504e0-4f89-11d3-9a0c-0305e82c3302,Zx9+kJ==,3/21/2026 4:05 PM,Globex pilot,Globex,"
    '"€8,000.00",Euro,6/30/2026,Open,Marco Rossi,2/13/2026 9:00 AM\n'
)


@pytest.mark.parametrize(
    ("data", "preset", "checks"),
    [
        (
            PIPEDRIVE,
            "pipedrive",
            {
                "101": ("won", "12500.00", "EUR", date(2026, 3, 1)),
                "102": ("open", "800.50", "USD", date(2026, 7, 1)),
                "103": ("lost", "3000.00", "USD", None),
            },
        ),
        (
            ZOHO,
            "zoho",
            {
                "zcrm_4876876000000123456": ("won", "12500.00", "USD", date(2026, 3, 31)),
                "zcrm_4876876000000123457": ("lost", "9000.00", "EUR", date(2026, 2, 28)),
            },
        ),
        (
            DYNAMICS,
            "dynamics",
            {
                "3f2504e0-4f89-11d3-9a0c-0305e82c3301": ("won", "12500.00", "USD", date(2026, 3, 31)),
                "3f2504e0-4f89-11d3-9a0c-0305e82c3302": ("open", "8000.00", "EUR", date(2026, 6, 30)),
            },
        ),
    ],
)
def test_pipedrive_zoho_and_dynamics_exports(crm_reps, data, preset, checks):
    plan = run_import(data.encode())
    assert plan.options.preset == preset
    for crm_id, (status, amount, currency, closed_on) in checks.items():
        found = deal(crm_id)
        assert (found.status.value, str(found.amount), found.currency) == (status, amount, currency)
        if closed_on:
            assert found.closed_on == closed_on
        assert found.owner in crm_reps.values()
    if preset == "pipedrive":
        assert [(e.line, e.reason) for e in plan.errors] == [
            (5, "bad status 'deleted' (expected open, won or lost)")
        ]
    else:
        assert plan.errors == []


EXCEL_ROWS = [
    ["Deal ID", "Deal", "Account", "Amount", "Close Date"],
    ["X-1", "\u201cBig\u201d deal", "Café Olé", "1.234,56 €", "31.03.2026"],
]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [
        ("utf-8", ";", b"\xef\xbb\xbf"),
        ("cp1252", ";", b""),
        ("utf-16-le", "\t", b"\xff\xfe"),  # Excel's "Unicode Text"
        ("utf-16-le", "\t", b""),
    ],
)
def test_files_saved_by_excel(crm_reps, encoding, delimiter, bom):
    text = "\r\n".join(delimiter.join(row) for row in EXCEL_ROWS) + "\r\n"
    run_import(bom + text.encode(encoding))
    found = deal("X-1")
    assert found.name == "\u201cBig\u201d deal" and found.account == "Café Olé"
    assert found.amount == Decimal("1234.56") and found.currency == "EUR"
    assert found.closed_on == date(2026, 3, 31)


def test_messy_but_readable_files(crm_reps):
    text = (
        "sep=;\r\n"
        "\r\n"
        "Deal ID;Deal;;Amount;Amount;Notes\r\n"
        'M-1;"Alpha\r\nsecond line";x;"12.500";1;"a ""quoted"" note\r\nover two lines"\r\n'
        "\r\n"
        "M-2;Bravo;;3.000,5;2\r\n"  # Excel leaves out the empty cells at the end
        "M-3;Charlie;;1.000;3;note;too;many\r\n"
        "M-4;Delta;;99;4;;;\r\n"  # empty extra cells are harmless
    )
    plan = run_import(text.encode())
    assert plan.csv_file.headers == ["Deal ID", "Deal", "Column 3", "Amount", "Amount (2)", "Notes"]
    assert deal("M-1").name == "Alpha\r\nsecond line" and deal("M-1").amount == Decimal("12500.00")
    assert deal("M-2").amount == Decimal("3000.50") and deal("M-4").amount == Decimal("99.00")
    assert [e.line for e in plan.errors] == [9]
    assert "8 values but the header has 6 columns" in plan.errors[0].reason
    assert deal("M-3") is None


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("-500", "negative amounts are not accepted"),
        ("(1,200.00)", "negative amounts are not accepted"),
        ("NaN", "not a number"),
        ("inf", "not a number"),
        ("1e400", "scientific notation"),
        ("1.23457E+11", "scientific notation"),
        ("12.500", "choose 1.234,56 as the number format"),
        ("100000000000000000", "too large"),
    ],
)
def test_amounts_that_cannot_be_trusted_are_row_errors(crm_reps, amount, reason):
    data = f'Deal ID,Deal,Amount\nA-1,Good,"1,500.00"\nA-2,Bad,"{amount}"\n'.encode()
    plan = run_import(data)
    assert [e.line for e in plan.errors] == [3] and reason in plan.errors[0].reason
    assert deal("A-1").amount == Decimal("1500.00") and deal("A-2") is None


def test_semicolon_file_without_decimals_reads_dots_as_thousands(crm_reps):
    run_import(b"Deal ID;Deal;Amount\nE-1;Alpha;12.500\nE-2;Bravo;3.000\n")
    assert deal("E-1").amount == Decimal("12500.00") and deal("E-2").amount == Decimal("3000.00")


def test_long_cells(crm_reps):
    notes = "n" * 300_000
    long_name = "L" * 201
    data = f'Deal ID,Deal,Notes\nL-1,Fine,"{notes}"\nL-2,{long_name},\n'.encode()
    plan = run_import(data)
    assert deal("L-1").name == "Fine"
    assert [(e.line, e.reason) for e in plan.errors] == [(3, "deal name longer than 200 characters (201)")]


def test_many_rows(crm_reps, runner, tmp_path):
    path = tmp_path / "big.csv"
    rows = "".join(f"B-{i},Deal {i},{i}.50,Dana Whitfield,open\n" for i in range(3000))
    path.write_text("Deal ID,Deal,Amount,Owner,Status\n" + rows)
    result = runner.invoke(args=["import-deals", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Done: 3000 created" in result.output and deal_count() == 3000


BAD_FILES = [
    (b"", "The file is empty"),
    (b"\xef\xbb\xbf\r\n\r\n", "The file is empty"),
    (SF_HEADER.encode() + b"\r\n", "no rows of deals"),
    (SF_HEADER.encode() + b"\r\n\r\n" + SF_FOOTER.encode(), "no rows of deals"),
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "Excel workbook (.xlsx)"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + bytes(range(256)), "a PDF document"),
    (b'Deal ID,Deal\n1,Alpha\n2,"Bravo\n3,Charlie\n', "starts on line 3 is never closed"),
]


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_unreadable_files_are_refused_with_a_reason_on_the_web(marketer_client, app, data, message):
    response = upload(marketer_client, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(("data", "message"), BAD_FILES)
def test_unreadable_files_are_refused_with_a_reason_by_the_command(runner, app, tmp_path, data, message):
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    result = runner.invoke(args=["import-deals", str(path)])
    assert result.exit_code == 1 and message in result.output


def test_formula_cells_are_stored_as_text_and_exported_harmless(crm_reps, users, admin_client):
    dangerous = [
        '=HYPERLINK("http://evil.test","Click")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
    ]
    rows = "".join(
        f'"{i}","{name.replace(chr(34), chr(34) * 2)}","-2+3"\n' for i, name in enumerate(dangerous)
    )
    run_import(('"Deal ID","Deal","Account"\n' + rows).encode())
    assert [deal(str(i)).name for i in range(3)] == dangerous
    assert deal("0").account == "-2+3"

    token = factories.make_api_token(users["marketer"])
    headers = {"Authorization": f"Bearer {token}"}
    response = admin_client.put("/api/v1/deals/=1+1", json={"name": "=1+1"}, headers=headers)
    assert response.status_code == 201
    exported = admin_client.get("/admin/audit.csv").get_data(as_text=True)
    for row in csv.reader(io.StringIO(exported)):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_api_refuses_amounts_that_are_no_number(app, users, client, amount):
    token = factories.make_api_token(users["marketer"])
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    one = client.post(
        "/api/v1/deals", data=f'{{"crm_id":"N-1","name":"x","amount":{amount}}}', headers=headers
    )
    assert one.status_code == 400 and one.get_json()["error"]["fields"]["amount"]
    put = client.put("/api/v1/deals/N-1", data=f'{{"name":"x","amount":{amount}}}', headers=headers)
    assert put.status_code == 400
    batch = client.post(
        "/api/v1/deals/batch",
        data=f'{{"deals":[{{"crm_id":"N-1","name":"x","amount":{amount}}},{{"crm_id":"N-2","name":"y"}}]}}',
        headers=headers,
    )
    body = batch.get_json()
    assert batch.status_code == 200 and body["summary"]["created"] == 1 and body["summary"]["errors"] == 1
    assert deal("N-1") is None and deal("N-2") is not None


def test_file_error_names_the_line_of_the_open_quote(app):
    with pytest.raises(ImportFileError, match="line 2"):
        importer.open_file(b'Deal ID,Deal\n"1,Alpha\n2,Bravo\n')


def test_owner_written_last_name_first_and_a_stray_note_row(crm_reps):
    data = (
        b'Opportunity Owner,Opportunity Name,Amount\n"Whitfield, Dana",Alpha,1\n'
        b"Confidential - internal\nMarco Rossi,Bravo,2\n"
    )
    plan = run_import(data)
    assert deal("Alpha").owner == crm_reps["dana"] and deal("Bravo").owner == crm_reps["marco"]
    assert [(e.line, "single value" in e.reason) for e in plan.errors] == [(3, True)]


@pytest.mark.parametrize(
    ("closed", "reason"),
    [
        ("1/1/0001", "year outside 1900-2199"),  # .NET's "no date"
        ("31/03/2026", "read month first; check the date format"),
        ("2026-02-30", "bad date '2026-02-30'"),
    ],
)
def test_dates_that_cannot_be_trusted_are_row_errors(crm_reps, closed, reason):
    data = f"Deal ID,Deal,Close Date\nD-1,Good,2026/03/31\nD-2,Bad,{closed}\n".encode()
    plan = run_import(data, date_format="mdy")
    assert [e.line for e in plan.errors] == [3] and reason in plan.errors[0].reason
    assert deal("D-1").closed_on == date(2026, 3, 31) and deal("D-2") is None
