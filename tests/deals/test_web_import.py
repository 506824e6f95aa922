from __future__ import annotations

import io
import re

from sqlalchemy import func
from sqlalchemy import select

from hub.extensions import db
from hub.models import Deal
from tests.deals.conftest import fixture_bytes


def upload(client, data: bytes, name: str = "export.csv", preset: str = "auto"):
    return client.post(
        "/deals/import",
        data={"file": (io.BytesIO(data), name), "preset": preset},
        content_type="multipart/form-data",
    )


def import_id_from(response) -> str:
    return re.search(r"/deals/import/([0-9a-f]{32})/map", response.headers["Location"]).group(1)


def deal_count() -> int:
    return db.session.scalar(select(func.count(Deal.id)))


def test_upload_map_preview_import(marketer_client, crm_reps, taxonomy, instance_path):
    response = upload(marketer_client, fixture_bytes("salesforce_opportunities.csv"), "opportunities.csv")
    assert response.status_code == 302
    import_id = import_id_from(response)
    assert (instance_path / "deal-imports" / f"{import_id}.csv").exists()

    page = marketer_client.get(f"/deals/import/{import_id}/map")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Recognised a Salesforce opportunity export" in html
    assert '<option selected value="Opportunity ID">' in html
    assert "0065e00000AbCdEAA1" in html  # first values shown beside each column

    form = {f"map_{key}": value for key, value in _selected(html).items()}
    form.update(preset="salesforce", date_format="auto", number_format="auto")
    response = marketer_client.post(f"/deals/import/{import_id}/map", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/preview")

    preview = marketer_client.get(f"/deals/import/{import_id}/preview").get_data(as_text=True)
    assert "Northwind - Platform Expansion" in preview
    assert "Import 6 deals" in preview
    assert deal_count() == 0  # nothing saved before confirming

    done = marketer_client.post(f"/deals/import/{import_id}/run")
    text = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "6 created, 0 updated, 0 unchanged" in text
    assert deal_count() == 6
    assert not (instance_path / "deal-imports" / f"{import_id}.csv").exists()
    assert marketer_client.get(f"/deals/import/{import_id}/preview").status_code == 404


def _selected(html: str) -> dict[str, str]:
    """The mapping select values as the page pre-selects them."""
    result = {}
    for key, body in re.findall(r'<select[^>]*name="map_(\w+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body)
        result[key] = chosen.group(1) if chosen else ""
    return result


def test_reimport_through_the_web_reports_unchanged(marketer_client, crm_reps):
    for _ in range(2):
        import_id = import_id_from(upload(marketer_client, fixture_bytes("hubspot_deals.csv")))
        marketer_client.post(
            f"/deals/import/{import_id}/map",
            data={
                **{
                    f"map_{k}": v
                    for k, v in _selected(
                        marketer_client.get(f"/deals/import/{import_id}/map").get_data(as_text=True)
                    ).items()
                },
                "preset": "hubspot",
                "date_format": "auto",
                "number_format": "auto",
            },
        )
        text = marketer_client.post(f"/deals/import/{import_id}/run").get_data(as_text=True)
    assert "0 created, 0 updated, 5 unchanged" in text


def test_manual_mapping_and_bad_rows_in_preview(marketer_client, crm_reps):
    data = b"Ref;Title;Value;Rep\nA-1;Alpha;1.000,50;Dana Whitfield\nA-2;Bravo;abc;Nobody Known\nA-3;Charlie;250;Marco Rossi\n"
    import_id = import_id_from(upload(marketer_client, data))
    page = marketer_client.get(f"/deals/import/{import_id}/map").get_data(as_text=True)
    assert "Recognised" not in page
    missing = marketer_client.post(
        f"/deals/import/{import_id}/map", data={"preset": "", "date_format": "auto", "number_format": "auto"}
    )
    assert missing.status_code == 400
    assert "Choose the column that holds the Deal name" in missing.get_data(as_text=True)
    mapping = {"map_crm_id": "Ref", "map_name": "Title", "map_amount": "Value", "map_owner": "Rep"}
    response = marketer_client.post(
        f"/deals/import/{import_id}/map",
        data={**mapping, "preset": "", "date_format": "auto", "number_format": "comma"},
    )
    assert response.status_code == 302
    preview = marketer_client.get(f"/deals/import/{import_id}/preview").get_data(as_text=True)
    assert "Rows that will be skipped" in preview
    assert "bad amount &#39;abc&#39;" in preview and "unknown owner &#39;Nobody Known&#39;" in preview
    assert "Import 2 deals" in preview
    done = marketer_client.post(f"/deals/import/{import_id}/run").get_data(as_text=True)
    assert "2 created" in done and "1 rows skipped" in done.replace("1 rows skipped", "1 rows skipped")
    assert deal_count() == 2


def test_rejected_uploads_say_why(marketer_client):
    response = upload(marketer_client, b"", "empty.csv")
    assert response.status_code == 400 and "The file is empty" in response.get_data(as_text=True)
    response = upload(marketer_client, b"%PDF-1.4", "deals.pdf")
    assert response.status_code == 400 and "Upload a .csv file" in response.get_data(as_text=True)
    response = marketer_client.post("/deals/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose the CSV file" in response.get_data(as_text=True)


def test_reps_cannot_import_and_uploads_are_private(rep_client, admin_client, marketer_client):
    assert rep_client.get("/deals/import").status_code == 403
    import_id = import_id_from(upload(marketer_client, b"Deal ID,Deal\n1,A\n"))
    assert admin_client.get(f"/deals/import/{import_id}/map").status_code == 404
    assert marketer_client.get("/deals/import/not-an-id/map").status_code == 404
