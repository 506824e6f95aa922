from __future__ import annotations

from sqlalchemy import select

from hub.extensions import db
from hub.models import AuditEntry
from hub.models import Deal
from tests.deals.conftest import FIXTURES


def test_import_deals_command_reports_each_row_and_is_idempotent(runner, crm_reps, taxonomy):
    path = str(FIXTURES / "salesforce_opportunities.csv")
    result = runner.invoke(args=["import-deals", path, "--as", "dana.whitfield@acme.test"])
    assert result.exit_code == 0, result.output
    assert "format: Salesforce opportunity export" in result.output
    assert "line 2: created 0065e00000AbCdEAA1" in result.output
    assert "Done: 6 created, 0 updated, 0 unchanged, 0 rows with errors." in result.output
    assert "Saved 6/6 rows" in result.output
    again = runner.invoke(args=["import-deals", path])
    assert "Done: 0 created, 0 updated, 6 unchanged" in again.output
    assert len(db.session.scalars(select(Deal)).all()) == 6
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "deals.import")).first()
    assert entry.user_id == crm_reps["dana"].id


def test_dry_run_and_bad_rows(runner, crm_reps, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal ID;Deal;Amount;Owner;Close\nA;Alpha;1.000,00;Dana Whitfield;31.03.2026\nB;Bravo;lots;Ghost;\n"
    )
    result = runner.invoke(args=["import-deals", str(path), "--dry-run"])
    assert "line 3: ERROR B: bad amount 'lots'; unknown owner 'Ghost'" in result.output
    assert "Dry run: would create 1" in result.output
    assert db.session.scalars(select(Deal)).all() == []
    result = runner.invoke(args=["import-deals", str(path), "--map", "closed_on=Close", "--quiet"])
    assert result.exit_code == 2
    assert "Done: 1 created" in result.output
    deal = db.session.scalar(select(Deal))
    assert str(deal.closed_on) == "2026-03-31" and str(deal.amount) == "1000.00"


def test_command_refuses_unreadable_files_and_bad_mappings(runner, tmp_path, app):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "The file is empty" in runner.invoke(args=["import-deals", str(empty)]).output
    ok = tmp_path / "ok.csv"
    ok.write_text("Deal ID,Deal\n1,A\n")
    result = runner.invoke(args=["import-deals", str(ok), "--map", "nope=Deal"])
    assert result.exit_code != 0 and "FIELD=COLUMN" in result.output
