"""The REST endpoints: the engine's JSON, the pages' access policy, Vietnamese errors, and no recomputation
inside a request (``fresh=1`` and missing tuples enqueue a task and answer 202 with where to poll)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from motcua.index766 import database
from motcua.index766.database import refresh_database_facts, score_database
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set
from motcua.org.models import Role, Unit
from tests.factories import official

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]
AS_OF = "2026-08-20T17:00:00+07:00"
#: The district H44.H01 and its three communes.
DISTRICT = {"H44.H01", "H44.H01.01", "H44.H01.02", "H44.H01.03"}


@pytest.fixture(autouse=True)
def _empty_cache():
    """The API keeps explanations and forecasts in the cache: never across tests' data."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def province(tmp_path):
    """A generated province imported, its 766 facts built once (as the worker does)."""
    generate_exchange_set(tmp_path / "set", dossiers=200, seed=3, until=date(2026, 11, 20), units=60, procedures=200)
    assert import_exchange_set(tmp_path / "set").ok
    refresh_database_facts()


def signed_in(username, unit_code=None, role=Role.CONTROL_OFFICER) -> APIClient:
    api = APIClient()
    if unit_code is None:
        user = get_user_model().objects.create_user(username, password=None)
    else:
        user = official(username, Unit.objects.get(code=unit_code), role)
    api.force_authenticate(user)
    return api


@pytest.fixture
def client(province):
    """The province's control officer: sees every unit's records, may have scores recomputed."""
    return signed_in("kiemsoat_test", "H44")


@pytest.fixture
def bare_client(db):
    """The control officer of a province with no data: enough for parameter validation."""
    from motcua.org.models import UnitKind

    Unit.objects.create(code="H44", name="Tỉnh Thử", kind=UnitKind.PROVINCE)
    return signed_in("kiemsoat_test", "H44")


def _without(data, key="computed_at"):
    return {k: v for k, v in data.items() if k != key}


def poll(api, accepted) -> dict:
    """The task a 202 names has run (the test suite runs huey inline): its status says so."""
    assert accepted.status_code == 202, accepted.content
    body = accepted.json()
    assert accepted["Location"] == body["status_url"] and body["task"] in body["status_url"]
    status = api.get(body["status_url"])
    assert status.status_code == 200
    return status.json()


def test_score_endpoint_is_the_engine_json(client):
    response = client.get("/api/766/score/", {"period": "2026-08", "as_of": AS_OF})
    assert response.status_code == 200
    assert "computed_at" in response.json()
    assert _without(response.json()) == score_database("2026-08", as_of=AS_OF).to_json()
    one = client.get("/api/766/score/", {"period": "2026-08", "as_of": AS_OF, "unit": "H44.01"}).json()
    assert [u["unit"] for u in one["units"]] == ["H44.01"]


def test_score_endpoint_serves_stored_tuples_and_enqueues_the_rest(client):
    from motcua.index766.models import IndicatorSnapshot
    from motcua.index766.snapshots import store

    now = "2026-11-24T09:00:00+07:00"
    report = score_database("2026-Q3", now=now)
    store(report)
    stored = client.get("/api/766/score/", {"period": "2026-Q3"}).json()
    assert stored["computed_at"] and _without(stored) == report.to_json()
    one = client.get("/api/766/score/", {"period": "2026-Q3", "unit": "H44.01"}).json()
    assert _without(one)["units"] == [u for u in report.to_json()["units"] if u["unit"] == "H44.01"]
    # A stored tuple is what is served; fresh=1 has it recomputed by the worker, then it is served.
    IndicatorSnapshot.objects.filter(period="2026-Q3", indicator="2.1").update(note="đã lưu")
    assert client.get("/api/766/score/", {"period": "2026-Q3"}).json()["units"][0]["indicators"][4]["note"] == "đã lưu"
    accepted = client.get("/api/766/score/", {"period": "2026-Q3", "fresh": "1"})
    assert "Đã xếp lịch tính lại" in accepted.json()["detail"]
    assert poll(client, accepted)["state"] == "done"
    fresh = client.get("/api/766/score/", {"period": "2026-Q3"}).json()
    assert fresh["units"][0]["indicators"][4]["note"] != "đã lưu"
    # A second fresh=1 right after reuses the task just run instead of enqueuing another.
    again = client.get("/api/766/score/", {"period": "2026-Q3", "fresh": "1"})
    assert again.json()["task"] == accepted.json()["task"]
    # Nothing stored for a period: enqueued, then served.
    assert poll(client, client.get("/api/766/score/", {"period": "2026-08"}))["state"] == "done"
    assert client.get("/api/766/score/", {"period": "2026-08"}).json()["units"]


def test_explain_and_forecast_endpoints(client):
    explained = client.get("/api/766/explain/", {"period": "2026", "unit": "H44", "indicator": "2.1"}).json()
    assert explained["indicator"] == "2.1" and explained["records"]
    assert all(r["record_kind"] == "MaHoSo" and r["points"] > 0 for r in explained["records"])
    # 2.1 is changed by no rule of §4.1 but the portal's rounding; 5.2 names its complaint rule.
    assert [r["switch"] for r in explained["rules"]] == ["rounding"]
    pakn = client.get("/api/766/explain/", {"period": "2026", "unit": "H44", "indicator": "5.2"}).json()["rules"]
    assert [(r["switch"], r["value"], r["portal"]) for r in pakn] == [
        ("pakn_judged_at", "period_end", True),
        ("rounding", "portal", True),
    ]
    forecast = client.get("/api/766/forecast/", {"period": "2026-11", "as_of": "2026-11-10T09:00:00+07:00"}).json()
    assert forecast["period"] == "2026-11" and {"total_now", "points_at_risk"} <= set(forecast["units"][0])
    assert len(forecast["units"]) == Unit.objects.count()  # the province's officer: every unit


def test_no_recomputation_inside_a_request(client, monkeypatch):
    """Reads use the facts the worker keeps; only fresh=1 rebuilds them, in the (here inline) task."""
    calls = []
    real = database.refresh_database_facts
    monkeypatch.setattr(database, "refresh_database_facts", lambda *a, **k: calls.append(1) or real(*a, **k))
    for url, params in [
        ("/api/766/explain/", {"period": "2026", "unit": "H44.01", "indicator": "2.1"}),
        ("/api/766/forecast/", {"period": "2026-11", "unit": "H44.01", "as_of": "2026-11-10"}),
        ("/api/766/score/", {"period": "2026-08", "as_of": AS_OF}),
    ]:
        assert client.get(url, params).status_code == 200
    assert calls == []
    for url, params in [
        ("/api/766/explain/", {"period": "2026", "unit": "H44.01", "indicator": "2.1", "fresh": "1"}),
        ("/api/766/forecast/", {"period": "2026-11", "unit": "H44.01", "fresh": "true"}),
    ]:
        assert poll(client, client.get(url, params))["state"] == "done"
    assert calls == [1, 1]


def test_explanations_are_kept_like_the_pages(client, monkeypatch):
    """The same question within the cache period is answered from the cache, not by the engine again."""
    from motcua.index766 import explain

    runs = []
    real = explain.explain
    monkeypatch.setattr(explain, "explain", lambda *a, **k: runs.append(1) or real(*a, **k))
    params = {"period": "2026", "unit": "H44.01", "indicator": "2.1"}
    first, second = client.get("/api/766/explain/", params), client.get("/api/766/explain/", params)
    assert first.json() == second.json() and runs == [1]


def test_the_api_follows_the_access_policy(province):
    """Scores are aggregates every official reads; dossier lists only within the official's units;
    recomputation only for control officers and administrators; nothing without a position."""
    nobody = signed_in("khong_vi_tri")
    for url, params in [
        ("/api/766/score/", {"period": "2026-08"}),
        ("/api/766/explain/", {"period": "2026", "unit": "H44.01", "indicator": "2.1"}),
        ("/api/766/forecast/", {"period": "2026-11", "unit": "H44.01"}),
    ]:
        response = nobody.get(url, params)
        assert response.status_code == 403 and "chưa được giao vai trò" in response.json()["detail"]
        anonymous = APIClient().get(url, params)
        assert anonymous.status_code == 403 and "đăng nhập" in anonymous.json()["detail"]

    district = signed_in("lanhdao_huyen", "H44.H01", Role.LEADER)
    outside = district.get("/api/766/explain/", {"period": "2026", "unit": "H44.01", "indicator": "2.1"})
    assert outside.status_code == 403 and "đơn vị mình" in outside.json()["detail"]
    inside = district.get("/api/766/explain/", {"period": "2026", "unit": "H44.H01.01", "indicator": "2.1"})
    assert inside.status_code == 200
    assert district.get("/api/766/forecast/", {"period": "2026-11", "unit": "H44.01"}).status_code == 403
    own = district.get("/api/766/forecast/", {"period": "2026-11", "as_of": "2026-11-10T09:00:00+07:00"}).json()
    assert {u["unit"] for u in own["units"]} <= DISTRICT and {i["unit"] for i in own["items"]} <= DISTRICT
    assert district.get("/api/766/score/", {"period": "2026-08", "as_of": AS_OF}).status_code == 200
    refused = district.get("/api/766/score/", {"period": "2026-08", "fresh": "1"})
    assert refused.status_code == 403 and "kiểm soát TTHC hoặc quản trị" in refused.json()["detail"]
    # Nothing stored for a period: only those who may recompute have it enqueued; others are told who can.
    missing = district.get("/api/766/score/", {"period": "2026-08"})
    assert missing.status_code == 404 and "Chưa có kết quả lưu của kỳ 2026-08" in missing.json()["detail"]


@pytest.mark.parametrize(
    ("url", "params", "message"),
    [
        ("/api/766/score/", {"period": "2026-13"}, "Kỳ đánh giá không hợp lệ"),
        ("/api/766/score/", {}, "period"),
        ("/api/766/score/", {"period": "2026", "unit": "KHONG"}, "Không có đơn vị"),
        ("/api/766/score/", {"period": "2099"}, "chưa bắt đầu"),
        ("/api/766/score/", {"period": "2026", "as_of": "0001-01-01T00:00:00+07:00"}, "01/01/1990"),
        ("/api/766/score/", {"period": "2026", "as_of": "9999-12-31T23:59:59-12:00"}, "01/01/1990"),
        ("/api/766/explain/", {"period": "2026", "unit": "H44", "indicator": "9.9"}, "9.9"),
        ("/api/766/explain/", {"period": "2026", "unit": "H44", "indicator": "2.2"}, "2.2"),
        ("/api/766/explain/", {"period": "2026", "indicator": "2.1"}, "unit"),
        ("/api/766/forecast/", {"period": "2026", "as_of": "hôm qua"}, "ISO 8601"),
        ("/api/766/forecast/", {"period": "1900"}, "Kỳ đánh giá không hợp lệ"),  # before 1906: no RFC 3339 offset
        ("/api/766/forecast/", {"period": "2026-11", "fresh": "có"}, "fresh"),
    ],
)
def test_bad_input_is_a_vietnamese_400(bare_client, url, params, message):
    response = bare_client.get(url, params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_unknown_task_is_a_vietnamese_404(bare_client):
    response = bare_client.get("/api/766/tasks/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404 and "Không có yêu cầu tính lại" in response.json()["detail"]
