"""The web layer answers, in Vietnamese, without anything fetched from the internet."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_is_vietnamese(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Hệ thống thông tin giải quyết thủ tục hành chính" in response.content.decode()


def test_openapi_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn." not in docs


def test_admin_requires_login(client):
    response = client.get("/admin/dossiers/dossier/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_demo_command_prepares_a_province_and_prints_logins(capsys):
    """The README's first line, without serving: data loaded once, logins printed, reuse on the second run."""
    from django.core.management import call_command

    from motcua.dossiers.models import Dossier
    from motcua.org.demo import DEMO_PASSWORD
    from motcua.org.models import Official

    call_command("demo", no_serve=True, dossiers=300)
    out = capsys.readouterr().out
    assert "Đã sinh và nạp tỉnh mẫu" in out and DEMO_PASSWORD in out and "motcua_so" in out
    assert Dossier.objects.count() == 300
    assert set(Official.objects.values_list("role", flat=True)) == {
        "administrator", "control_officer", "desk_officer", "specialist", "leader"}
    call_command("demo", no_serve=True, dossiers=300)
    assert "Dùng lại cơ sở dữ liệu đã có" in capsys.readouterr().out and Dossier.objects.count() == 300


def test_demo_catalogue_declares_components_and_workflows_once():
    from motcua.catalog.demo import declare_demo_catalogue
    from motcua.catalog.models import ComponentSpec, Workflow
    from motcua.dossiers import services
    from tests.factories import procedure, province_with_department, vn

    _province, department, _commune = province_with_department()
    proc = procedure()
    dossier = services.receive(procedure=proc, handling_unit=department, channel=1, received_at=vn(2026, 3, 2, 9))
    for code in ("TP01", "TP02", "TP03"):
        dossier.components.create(component_code=code)
    assert declare_demo_catalogue() == (3, 1)
    assert list(ComponentSpec.objects.filter(version__procedure=proc).order_by("code")
                .values_list("code", "required")) == [("TP01", True), ("TP02", True), ("TP03", True)]
    assert [s.role for s in Workflow.objects.get(procedure=proc).steps.order_by("order")] == [
        "specialist", "specialist", "leader"]
    assert services.first_step(dossier).name == "Thẩm định hồ sơ"
    assert declare_demo_catalogue() == (0, 0)
