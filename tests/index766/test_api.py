"""The REST endpoints give the same JSON as the engine on the database, and Vietnamese 400s for bad input."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from motcua.index766.database import score_database
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]
AS_OF = "2026-08-20T17:00:00+07:00"


@pytest.fixture
def client(tmp_path):
    generate_exchange_set(tmp_path / "set", dossiers=200, seed=3, until=date(2026, 11, 20), units=60, procedures=200)
    assert import_exchange_set(tmp_path / "set").ok
    api = APIClient()
    api.force_authenticate(get_user_model().objects.create_user("kiemsoat_test", password="x"))
    return api


def _without(data, key="computed_at"):
    return {k: v for k, v in data.items() if k != key}


def test_score_endpoint_is_the_engine_json(client):
    response = client.get("/api/766/score/", {"period": "2026-08", "as_of": AS_OF})
    assert response.status_code == 200
    assert "computed_at" in response.json()
    assert _without(response.json()) == score_database("2026-08", as_of=AS_OF).to_json()
    one = client.get("/api/766/score/", {"period": "2026-08", "as_of": AS_OF, "unit": "H44.01"}).json()
    assert [u["unit"] for u in one["units"]] == ["H44.01"]


def test_score_endpoint_serves_stored_tuples(client):
    from motcua.index766.models import IndicatorSnapshot
    from motcua.index766.snapshots import store

    now = "2026-11-24T09:00:00+07:00"
    report = score_database("2026-Q3", now=now)
    store(report)
    stored = client.get("/api/766/score/", {"period": "2026-Q3"}).json()
    assert stored["computed_at"] and _without(stored) == report.to_json()
    one = client.get("/api/766/score/", {"period": "2026-Q3", "unit": "H44.01"}).json()
    assert _without(one)["units"] == [u for u in report.to_json()["units"] if u["unit"] == "H44.01"]
    # A stored tuple is what is served, until fresh=1 asks for a computation.
    IndicatorSnapshot.objects.filter(period="2026-Q3", indicator="2.1").update(note="đã lưu")
    assert client.get("/api/766/score/", {"period": "2026-Q3"}).json()["units"][0]["indicators"][4]["note"] == "đã lưu"
    fresh = client.get("/api/766/score/", {"period": "2026-Q3", "fresh": "1"}).json()
    assert fresh["units"][0]["indicators"][4]["note"] != "đã lưu"
    # Nothing stored for a period: computed.
    assert client.get("/api/766/score/", {"period": "2026-08"}).json()["units"]


def test_explain_and_forecast_endpoints(client):
    explained = client.get("/api/766/explain/", {"period": "2026", "unit": "H44", "indicator": "2.1"}).json()
    assert explained["indicator"] == "2.1" and explained["records"]
    assert all(r["record_kind"] == "MaHoSo" and r["points"] > 0 for r in explained["records"])
    forecast = client.get("/api/766/forecast/", {"period": "2026-11", "as_of": "2026-11-10T09:00:00+07:00"}).json()
    assert forecast["period"] == "2026-11" and {"total_now", "points_at_risk"} <= set(forecast["units"][0])


def test_bad_input_and_anonymous(client):
    bad = client.get("/api/766/score/", {"period": "2026-13"})
    assert bad.status_code == 400 and "Kỳ đánh giá không hợp lệ" in bad.json()["detail"]
    assert client.get("/api/766/score/").status_code == 400
    assert client.get("/api/766/score/", {"period": "2026", "unit": "KHONG"}).status_code == 400
    assert APIClient().get("/api/766/score/", {"period": "2026"}).status_code == 403
