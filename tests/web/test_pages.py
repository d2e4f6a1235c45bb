"""The web layer answers, in Vietnamese, without anything fetched from the internet."""

import re
from pathlib import Path

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


def test_pages_carry_a_content_security_policy_of_self_only(client):
    """Scripts, styles, fonts and connections only from the site itself; no inline code, no framing."""
    for path in ("/", "/dang-nhap/", "/admin/login/", "/api/docs/"):
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        for name in ("default-src", "script-src", "style-src", "font-src", "connect-src", "form-action", "base-uri"):
            assert directives[name] == "'self'", (path, name, policy)
        assert directives["img-src"] == "'self' data:"  # Bootstrap's icons are data: SVGs in its CSS
        assert directives["object-src"] == directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in policy


#: What the policy above blocks in a served page: an inline script (not a JSON data block), an inline
#: event handler, a style attribute or element. The official forms (documents/) are rendered to PDF only.
INLINE = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|\sstyle=|<style\b", re.IGNORECASE)


def test_templates_have_no_inline_script_or_style():
    package = Path(__file__).resolve().parents[2] / "src" / "motcua"
    found = [
        f"{path.relative_to(package)}:{number}: {line.strip()}"
        for path in sorted(package.glob("*/templates/**/*.html"))
        if "documents" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INLINE.search(line)
    ]
    assert not found, "\n".join(found)


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
        "administrator",
        "control_officer",
        "desk_officer",
        "specialist",
        "leader",
    }
    call_command("demo", no_serve=True, dossiers=300)
    assert "Dùng lại cơ sở dữ liệu đã có" in capsys.readouterr().out and Dossier.objects.count() == 300


def test_demo_catalogue_declares_components_and_workflows_once():
    from motcua.catalog.models import ComponentSpec, Workflow
    from motcua.dossiers import services
    from motcua.web.demo_catalogue import declare_demo_catalogue
    from tests.factories import procedure, province_with_department, vn

    _province, department, _commune = province_with_department()
    proc = procedure()
    dossier = services.receive(procedure=proc, handling_unit=department, channel=1, received_at=vn(2026, 3, 2, 9))
    for code in ("TP01", "TP02", "TP03"):
        dossier.components.create(component_code=code)
    assert declare_demo_catalogue() == (3, 1)
    assert list(
        ComponentSpec.objects.filter(version__procedure=proc).order_by("code").values_list("code", "required")
    ) == [("TP01", True), ("TP02", True), ("TP03", True)]
    assert [s.role for s in Workflow.objects.get(procedure=proc).steps.order_by("order")] == [
        "specialist",
        "specialist",
        "leader",
    ]
    assert services.first_step(dossier).name == "Thẩm định hồ sơ"
    assert declare_demo_catalogue() == (0, 0)
