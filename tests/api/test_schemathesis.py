"""Schemathesis against the whole API, in process (Django's WSGI handler): requests generated from
/api/schema/, valid and invalid, sent by a signed-in control officer, never get a 500, and every answer
(status, content type, body) is the one the schema documents."""

from collections import defaultdict
from datetime import date

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.index766.database import refresh_database_facts
from motcua.interchange.generator import generate_exchange_set
from motcua.interchange.importer import import_exchange_set
from motcua.org.models import Role, Unit
from tests.factories import official

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Examples per operation and way of generating: the whole run stays well under a minute.
EXAMPLES = 12
GENERATED = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@pytest.fixture
def officer(tmp_path):
    """A small generated province with its 766 facts built, and its control officer."""
    generate_exchange_set(tmp_path / "set", dossiers=150, seed=4, until=date(2026, 3, 20), units=60, procedures=60)
    assert import_exchange_set(tmp_path / "set").ok
    refresh_database_facts()
    return official("kiemsoat_api", Unit.objects.get(code="H44"), Role.CONTROL_OFFICER)


def _strategies(operation, known: dict):
    """Free generation in both modes, then valid requests pinned to known values (a unit that exists,
    a task that was enqueued), so the successful answers are checked too."""
    for mode in GENERATED:
        yield operation.as_strategy(generation_mode=mode)
    names = {p.name for p in operation.iter_parameters()}
    query = {k: v for k, v in known.items() if k in names and k != "task_id"}
    path = {"task_id": known["task_id"]} if "task_id" in names else None
    if query or path:
        yield operation.as_strategy(query=query or None, path_parameters=path)


def _run(strategy, cookies: dict, statuses: set) -> None:
    """Hypothesis drives the strategy; each case is sent and its answer checked against the schema."""

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def call(case):
        statuses.add(case.call_and_validate(cookies=cookies, checks=CHECKS).status_code)

    call()


def test_the_api_answers_every_generated_request_as_documented(officer):
    client = Client()
    client.force_login(officer)
    cookies = {"sessionid": client.cookies["sessionid"].value}
    api = APIClient()
    api.force_authenticate(officer)
    task = api.get("/api/766/score/", {"period": "2026-Q1", "fresh": "1"}).json()["task"]
    known = {"unit": "H44.X001", "period": "2026-Q1", "task_id": task}

    schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
    answered = defaultdict(set)
    for result in schema.get_all_operations():
        operation = result.ok()
        for strategy in _strategies(operation, known):
            _run(strategy, cookies, answered[operation.label])
    # Every staff operation was reached past validation at least once. The national portal's endpoints
    # answer unsigned requests 401 (documented; their signed calls are tests/nationalportal/test_inbound.py).
    portal = {label: codes for label, codes in answered.items() if label.startswith("POST /api/portal/")}
    staff = {label: codes for label, codes in answered.items() if label not in portal}
    assert all(codes & {200, 202} for codes in staff.values()), dict(answered)
    assert len(staff) == 4 and len(portal) == 4
    assert all(codes == {401} for codes in portal.values()), portal
