"""`flask --app hub import-folder`: options, manifest, per-file results and a summary."""

from __future__ import annotations

from sqlalchemy import select

from hub.extensions import db
from hub.models import Asset
from hub.models import AssetType
from hub.models import AuditEntry
from tests import factories


def write_samples(folder):
    folder.mkdir()
    (folder / "deck.pptx").write_bytes(factories.sample_file("pptx", title="Deck", text="slides")[0])
    (folder / "brief.docx").write_bytes(factories.sample_file("docx", title="Brief", text="words")[0])
    sub = folder / "old"
    sub.mkdir()
    (sub / "copy_of_brief.docx").write_bytes((folder / "brief.docx").read_bytes())
    (sub / "virus.exe").write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    (sub / "fake.pdf").write_bytes(b"not really a pdf")
    (folder / ".DS_Store").write_bytes(b"\x00\x00")


def test_import_with_options(app, runner, users, tmp_path):
    factories.make_taxonomy()
    folder = tmp_path / "collateral"
    write_samples(folder)
    result = runner.invoke(
        args=[
            "import-folder",
            str(folder),
            "--persona",
            "cfo",
            "--persona",
            "End user",
            "--stage",
            "Decision",
            "--type",
            "one-pager",
            "--tag",
            "legacy",
            "--owner",
            users["marketer"].email,
        ]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Importing 5 file(s)" in out
    assert "[1/5]" in out and "[5/5]" in out
    assert "imported  brief.docx" in out
    assert "duplicate old/copy_of_brief.docx: same file as asset" in out
    assert "rejected  old/virus.exe" in out and "Executable" in out
    assert "rejected  old/fake.pdf" in out
    assert "Done: 2 imported, 1 duplicate, 2 rejected." in out
    db.session.expire_all()
    assets = db.session.scalars(select(Asset).order_by(Asset.title)).all()
    assert [a.title for a in assets] == ["Brief", "Deck"]
    assert all(a.asset_type == AssetType.ONE_PAGER for a in assets)
    assert [p.name for p in assets[0].personas] == ["CFO", "End user"]
    assert [s.name for s in assets[0].stages] == ["Decision"]
    assert assets[0].owner == users["marketer"] and [t.name for t in assets[0].tags] == ["legacy"]
    assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "library.import")) == (
        "2 imported, 1 duplicate, 2 rejected"
    )


def test_import_with_manifest(app, runner, users, tmp_path):
    factories.make_taxonomy()
    folder = tmp_path / "collateral"
    write_samples(folder)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,title,description,personas,stages,type,tags,owner,expires_on\n"
        f"deck.pptx,Platform overview,The main deck,CFO;IT director,Awareness,deck,intro;platform,{users['admin'].email},2031-01-31\n"
        "missing.pdf,Gone,,,,,,,\n"
    )
    result = runner.invoke(args=["import-folder", str(folder), "--manifest", str(manifest)])
    assert result.exit_code == 0, result.output
    assert "imported  deck.pptx" in result.output
    assert "rejected  missing.pdf: file not found" in result.output
    db.session.expire_all()
    asset = db.session.scalar(select(Asset))
    assert asset.title == "Platform overview" and asset.asset_type == AssetType.DECK
    assert [p.name for p in asset.personas] == ["CFO", "IT director"]
    assert [t.name for t in asset.tags] == ["intro", "platform"]
    assert str(asset.expires_on) == "2031-01-31" and asset.owner == users["admin"]


def test_unknown_names_stop_before_anything_is_imported(app, runner, users, tmp_path):
    folder = tmp_path / "collateral"
    write_samples(folder)
    result = runner.invoke(args=["import-folder", str(folder), "--persona", "Astronaut"])
    assert result.exit_code != 0
    assert "Unknown persona 'Astronaut'" in result.output
    bad_type = runner.invoke(args=["import-folder", str(folder), "--type", "poster"])
    assert "Unknown type 'poster'" in bad_type.output
    assert db.session.scalar(select(Asset)) is None
