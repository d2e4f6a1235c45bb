"""The follow-up pages: national portal sync (and "Gửi lại"), payments to check, and what the dossier page says
about the portal and about payments (the complaints desk: test_complaints_desk.py).

Dead letters are real: the relay delivers the world's dossiers to the fake adapter (portal-sync.md §1) on
127.0.0.1, which refuses with ``02`` a dossier whose KenhThucHien it cannot read. ``NOW`` (the views' clock)
is Wed 04/03/2026 10:00; office hours 07:00–11:30 and 13:30–17:00 (8 h a day).
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, Payment
from motcua.nationalportal.client import PortalClient
from motcua.nationalportal.fake import FakePortal
from motcua.nationalportal.models import OutboxMessage, PortalDossier
from motcua.nationalportal.relay import Relay
from motcua.org.models import Official, Role
from tests.browser import ARTIFACTS, requires_chromium
from tests.factories import vn
from tests.workspace import processing_fixtures

world = processing_fixtures.world  # the shared fixture, used by name

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_now")]  # "now": tests.conftest.PINNED_NOW

SYNC = reverse("workspace:portal-sync")
RESEND = reverse("workspace:portal-resend")
COMPLAINTS = reverse("workspace:complaints")
PAYMENTS = reverse("workspace:payment-mismatches")


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return htmllib.unescape(response.content.decode())


def row(html: str, key: str, attribute: str = "data-code") -> str:
    start = html.index(f'{attribute}="{key}"')
    return html[start : html.index("</tr>", start)]


def part(html: str, element_id: str, end: str = "</dd>") -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index(end, start)]


def as_user(client, user):
    client.force_login(user)
    return client


# --- the fake portal and a real relay ---------------------------------------------------------------------------


@pytest.fixture
def portal():
    fake = FakePortal(madonvi="H99", username="motcua", password="motcua")
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def relay(portal):
    client = PortalClient(portal.url, username="motcua", password="motcua", madonvi="H99", timeout=2)
    yield Relay(client, backoff_base=0.01, backoff_cap=0.05)
    client.close()


def drain(relay) -> None:
    relay.run(until_empty=True, max_seconds=20, idle_seconds=0.01)


def refused(world, relay, n=1) -> list[Dossier]:
    """``n`` dossiers the portal refuses (answer 02: KenhThucHien "9"), and one it accepts; the relay drained."""
    bad = [world.processing(consulted=False, applicant_name=f"Lê Văn {i}") for i in range(n)]
    good = world.processing(consulted=False, applicant_name="Trần Thị Bình")
    Dossier.objects.filter(pk__in=[d.pk for d in bad]).update(channel=9)
    drain(relay)
    for dossier in bad:
        assert PortalDossier.objects.get(pk=dossier.pk).blocked
    assert Dossier.objects.get(pk=good.pk).synced_at is not None
    return bad


# --- who may open what ------------------------------------------------------------------------------------------

USERS = {
    "desk": "desk",
    "specialist": "specialist",
    "leader": "leader",
    "control": "control",
    "administrator": "administrator",
}
ALLOWED = {
    SYNC: {"control", "administrator"},
    COMPLAINTS: {"desk", "specialist", "leader", "control", "administrator"},
    PAYMENTS: {"desk", "leader", "control", "administrator"},
}


@pytest.mark.parametrize("url", [SYNC, COMPLAINTS, PAYMENTS])
@pytest.mark.parametrize("principal", [*USERS, "anonymous", "no_position"])
def test_who_may_open_each_page(client, world, django_user_model, url, principal):
    if principal == "no_position":
        client.force_login(django_user_model.objects.create_user("khach", password=None))
    elif principal != "anonymous":
        client.force_login(getattr(world, USERS[principal]))
    response = client.get(url)
    if principal == "anonymous":
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    elif principal in ALLOWED[url]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "không có quyền" in response.content.decode().lower()


@pytest.mark.parametrize(
    ("principal", "links"),
    [
        ("desk", {COMPLAINTS, PAYMENTS}),
        ("specialist", {COMPLAINTS}),
        ("leader", {COMPLAINTS, PAYMENTS}),
        ("control", {SYNC, COMPLAINTS, PAYMENTS}),
        ("administrator", {SYNC, PAYMENTS}),
    ],
)
def test_menu_shows_the_pages_of_each_role(client, world, principal, links):
    html = page(as_user(client, getattr(world, principal)), reverse("workspace:search"))
    menu = html[html.index('id="main-nav"') : html.index("</ul>", html.index('id="main-nav"'))]
    shown = {url for url in (SYNC, COMPLAINTS, PAYMENTS) if f'href="{url}"' in menu}
    assert shown == links


# --- the sync page ----------------------------------------------------------------------------------------------


def test_sync_page_shows_counts_dead_letters_lag_and_the_relay(client, world, relay, settings):
    settings.MOTCUA_PORTAL_URL = "https://lgsp.example.gov.vn/dvcqg"
    [bad] = refused(world, relay)
    waiting = world.received()  # committed after the relay stopped: queued
    OutboxMessage.objects.filter(dossier_id=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=42))
    response = as_user(client, world.administrator).get(SYNC)
    status = response.context["status"]
    html = htmllib.unescape(response.content.decode())
    assert status.queued == OutboxMessage.objects.filter(delivered_at__isnull=True, dead_at__isnull=True).count() > 0
    assert status.dead_dossiers == 1 and status.delivered > 0
    assert f'id="sync-queued">{status.queued}<' in html and f'id="sync-delivered">{status.delivered}<' in html
    assert f'id="sync-dead">{status.dead_letters}<' in html
    # The dead letter: its code links to the dossier page, the portal's own message, when it was refused.
    line = row(html, bad.code)
    assert f'href="{reverse("workspace:dossier", args=[bad.code])}"' in line
    message = PortalDossier.objects.get(pk=bad.pk).last_error
    assert message.startswith("02:") and "KenhThucHien" in message and message in line
    refused_at = OutboxMessage.objects.filter(dossier_id=bad.pk).order_by("-dead_at").first().dead_at
    assert timezone.localtime(refused_at).strftime("%d/%m/%Y %H:%M:%S") in line
    assert "resend-one" in line
    # Lag of the oldest queued change (over the 10-minute rule), last success, last error.
    assert "42 phút" in part(html, "sync-lag", "</div>") and "quá 10 phút" in html
    assert response.context["lag_exceeded"]
    assert timezone.localtime(status.last_success_at).strftime("%d/%m/%Y %H:%M:%S") in part(html, "sync-last-success")
    assert message in part(html, "sync-last-error")
    assert "Chưa cấu hình Cổng" not in html
    assert "đã đồng bộ" not in html.lower()


def test_sync_page_says_plainly_when_the_portal_is_not_configured(client, world, settings):
    settings.MOTCUA_PORTAL_URL = ""
    world.received()
    html = page(as_user(client, world.control), SYNC)
    assert "Chưa cấu hình Cổng: thay đổi chỉ được xếp hàng, chưa gửi" in html
    assert 'id="no-dead-letters"' in html


def test_control_officer_reads_the_sync_page_without_resend(client, world, relay):
    [bad] = refused(world, relay)
    html = page(as_user(client, world.control), SYNC)
    assert bad.code in row(html, bad.code)
    assert "resend-one" not in html and 'id="resend-all"' not in html and RESEND not in html


# --- Gửi lại ----------------------------------------------------------------------------------------------------


def test_resend_one_clears_the_dead_letter_requeues_it_and_is_audited(client, world, relay):
    first, second = refused(world, relay, n=2)
    response = as_user(client, world.administrator).post(RESEND, {"dossier": first.pk}, follow=True)
    assert response.redirect_chain == [(SYNC, 302)]
    assert "Đã đưa 1 hồ sơ trở lại hàng đợi gửi lên Cổng" in response.content.decode()
    state = PortalDossier.objects.get(pk=first.pk)
    assert not state.blocked and state.last_error == "" and state.ready_at is not None
    assert not OutboxMessage.objects.filter(dossier_id=first.pk, dead_at__isnull=False).exists()
    assert OutboxMessage.objects.filter(
        dossier_id=first.pk, kind=OutboxMessage.Kind.UPSERT, delivered_at__isnull=True, dead_at__isnull=True
    ).exists()
    assert PortalDossier.objects.get(pk=second.pk).blocked  # only the one asked for
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(PortalDossier), object_id=first.pk, cid="web"
    )
    assert entry.actor_id == world.administrator.pk and entry.changes["blocked"] == ["True", "False"]
    # Still not on the portal: the page does not call it synced until the portal acknowledges it.
    html = page(client, reverse("workspace:dossier", args=[first.code]))
    assert "Chưa đồng bộ lên Cổng (đang chờ gửi)" in html and "Cổng DVCQG đã nhận" not in html


def test_resend_all_then_the_relay_delivers_and_the_dossier_page_says_when(client, world, relay):
    dossiers = refused(world, relay, n=2)
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(channel=1)  # fixed by the unit
    as_user(client, world.administrator).post(RESEND, {"all": "1"})
    assert not PortalDossier.objects.filter(blocked=True).exists()
    drain(relay)
    html = page(client, SYNC)
    assert 'id="no-dead-letters"' in html
    for dossier in dossiers:
        dossier.refresh_from_db()
        assert dossier.synced_at is not None
        dossier_page = page(client, reverse("workspace:dossier", args=[dossier.code]))
        stamp = timezone.localtime(dossier.synced_at).strftime("%d/%m/%Y %H:%M")
        assert f"Cổng DVCQG đã nhận lúc {stamp}" in dossier_page
        assert "Cổng từ chối" not in dossier_page


@pytest.mark.parametrize("principal", ["control", "desk", "leader"])
def test_only_the_administrator_may_resend(client, world, relay, principal):
    [bad] = refused(world, relay)
    response = as_user(client, getattr(world, principal)).post(RESEND, {"dossier": bad.pk})
    assert response.status_code == 403
    assert PortalDossier.objects.get(pk=bad.pk).blocked


def test_resend_is_post_only_with_a_csrf_token(world, relay):
    [bad] = refused(world, relay)
    strict = as_user(Client(enforce_csrf_checks=True), world.administrator)
    assert strict.get(RESEND).status_code == 405
    assert strict.post(RESEND, {"dossier": bad.pk}).status_code == 403  # no token
    assert PortalDossier.objects.get(pk=bad.pk).blocked
    strict.get(SYNC)  # its forms set the token cookie
    token = strict.cookies["csrftoken"].value
    assert strict.post(RESEND, {"dossier": bad.pk, "csrfmiddlewaretoken": token}).status_code == 302
    assert not PortalDossier.objects.get(pk=bad.pk).blocked


def test_an_administrator_resends_only_within_their_units(client, world, relay):
    [bad] = refused(world, relay)
    local_admin = processing_fixtures.official("quantri_xd", world.other_unit, Role.ADMINISTRATOR)
    as_user(client, local_admin)
    assert 'id="no-dead-letters"' in page(client, SYNC)
    response = client.post(RESEND, {"all": "1"}, follow=True)
    assert "Không có hồ sơ nào bị Cổng từ chối để gửi lại" in response.content.decode()
    assert PortalDossier.objects.get(pk=bad.pk).blocked


def test_a_control_officer_who_administers_one_unit_resends_only_there(client, world, relay):
    [bad] = refused(world, relay)
    both = processing_fixtures.official("kiemsoat_quantri", world.province, Role.CONTROL_OFFICER)
    Official.objects.create(user=both, unit=world.other_unit, role=Role.ADMINISTRATOR)
    html = page(as_user(client, both), SYNC)
    assert bad.code in row(html, bad.code)  # read across the province
    assert "resend-one" not in row(html, bad.code) and 'id="resend-all"' not in html
    client.post(RESEND, {"dossier": bad.pk})
    assert PortalDossier.objects.get(pk=bad.pk).blocked


# --- the dossier page: portal state and payments ----------------------------------------------------------------


def test_dossier_page_tells_pending_refused_and_acknowledged_apart(client, world, relay):
    pending = world.received()
    html = page(as_user(client, world.specialist), reverse("workspace:dossier", args=[pending.code]))
    assert "Chưa đồng bộ lên Cổng (đang chờ gửi)" in html
    assert "Cổng DVCQG đã nhận" not in html and "đã đồng bộ" not in html.lower()
    [bad] = refused(world, relay)
    message = PortalDossier.objects.get(pk=bad.pk).last_error
    html = page(client, reverse("workspace:dossier", args=[bad.code]))
    assert f"Cổng từ chối: {message}" in html and "Cổng DVCQG đã nhận" not in html
    pending.refresh_from_db()
    html = page(client, reverse("workspace:dossier", args=[pending.code]))
    stamp = timezone.localtime(pending.synced_at).strftime("%d/%m/%Y %H:%M")
    assert f"Cổng DVCQG đã nhận lúc {stamp}" in html and "đang chờ gửi" not in html


def test_dossier_page_warns_about_a_payment_that_differs_from_the_fees_due(client, world):
    dossier = world.processing(consulted=False)
    Payment.objects.create(
        dossier=dossier,
        method=1,
        paid_at=vn(2026, 3, 3, 9),
        amount=50_000,
        amount_due=100_000,
        transaction_id="GD-THIEU",
    )
    Payment.objects.create(
        dossier=dossier,
        method=2,
        paid_at=vn(2026, 3, 3, 10),
        amount=100_000,
        amount_due=100_000,
        transaction_id="GD-DUNG",
    )
    html = page(as_user(client, world.desk), reverse("workspace:dossier", args=[dossier.code]))
    assert html.count("Số tiền đã nộp khác số phải nộp") == 1
    warned = html[html.index("GD-THIEU") : html.index("</li>", html.index("GD-THIEU"))]
    assert "Số tiền đã nộp khác số phải nộp" in warned and "phải nộp 100.000 đ, đã nộp 50.000 đ" in warned
    fine = html[html.index("GD-DUNG") : html.index("</li>", html.index("GD-DUNG"))]
    assert "khác số phải nộp" not in fine


# --- payments to check ------------------------------------------------------------------------------------------


@pytest.fixture
def payments(world):
    """A short and a correct payment in the department, one without fees recorded, an overpayment elsewhere."""
    ours, other = world.processing(consulted=False), world.processing(consulted=False)
    elsewhere = services.receive(
        procedure=world.procedure,
        handling_unit=world.other_unit,
        receiving_unit=world.other_unit,
        channel=1,
        actor=world.desk,
        received_at=vn(2026, 3, 2, 9),
        applicant={"applicant_name": "Phạm Văn Dũng"},
    )
    for dossier, tx, amount, due, at in [
        (ours, "GD-THIEU", 50_000, 100_000, vn(2026, 3, 3, 9)),
        (ours, "GD-DUNG", 100_000, 100_000, vn(2026, 3, 3, 10)),
        (other, "GD-KHONGPHI", 20_000, None, vn(2026, 3, 3, 11)),
        (elsewhere, "GD-THUA", 150_000, 100_000, vn(2026, 3, 3, 14)),
    ]:
        Payment.objects.create(
            dossier=dossier,
            method=1 if tx != "GD-THUA" else 2,
            paid_at=at,
            amount=amount,
            amount_due=due,
            transaction_id=tx,
        )
    return ours, elsewhere


def transactions(html: str) -> list[str]:
    return re.findall(r'data-transaction="([^"]+)"', html)


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("leader", ["GD-THIEU"]),
        ("desk", ["GD-THIEU"]),
        ("control", ["GD-THUA", "GD-THIEU"]),
        ("administrator", ["GD-THUA", "GD-THIEU"]),
    ],
)
def test_payment_list_shows_only_mismatches_in_scope(client, world, payments, principal, expected):
    assert transactions(page(as_user(client, getattr(world, principal)), PAYMENTS)) == expected


def test_payment_list_row_shows_amounts_difference_and_channel(client, world, payments):
    ours, elsewhere = payments
    html = page(as_user(client, world.control), PAYMENTS)
    short = row(html, "GD-THIEU", "data-transaction")
    assert f'href="{reverse("workspace:dossier", args=[ours.code])}"' in short
    assert "50.000 đ" in short and "100.000 đ" in short and "-50.000 đ" in short and "nộp thiếu" in short
    assert "Thanh toán trên Cổng DVCQG" in short and "03/03/2026 09:00" in short
    over = row(html, "GD-THUA", "data-transaction")
    assert "+50.000 đ" in over and "nộp thừa" in over and elsewhere.code in over
    local_leader = processing_fixtures.official("lanhdao_xd", world.other_unit, Role.LEADER)
    assert transactions(page(as_user(client, local_leader), PAYMENTS)) == ["GD-THUA"]


# --- in a real browser ------------------------------------------------------------------------------------------

PASSWORD = "motcua-demo-2026"


@requires_chromium
@pytest.mark.django_db(transaction=True)
def test_administrator_resends_a_dead_letter_in_the_browser(live_server, browser_page, world, relay, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # a real hash costs a second here
    world.administrator.set_password(PASSWORD)
    world.administrator.save()
    [bad] = refused(world, relay)

    page_, base = browser_page, live_server.url
    page_.goto(f"{base}/dang-nhap/?next={SYNC}")
    page_.fill("#id_username", "quantri")
    page_.fill("#id_password", PASSWORD)
    with page_.expect_navigation():
        page_.click("main button[type=submit]")
    page_.wait_for_selector("#dead-letters")
    line = page_.locator(f"#dead-letters tr[data-code='{bad.code}']")
    assert "KenhThucHien" in line.inner_text()
    assert page_.inner_text("#sync-dead") != "0"
    ARTIFACTS.mkdir(exist_ok=True)
    page_.screenshot(path=str(ARTIFACTS / "portal-sync.png"), full_page=True)

    with page_.expect_navigation():
        line.locator("button.resend-one").click()
    assert "Đã đưa 1 hồ sơ trở lại hàng đợi gửi lên Cổng" in page_.inner_text(".messages")
    assert page_.locator("#no-dead-letters").is_visible()
    state = PortalDossier.objects.get(pk=bad.pk)
    assert not state.blocked and state.ready_at is not None
    # Back in the queue, not on the portal: the dossier page says so.
    page_.goto(f"{base}{reverse('workspace:dossier', args=[bad.code])}")
    assert "Chưa đồng bộ lên Cổng (đang chờ gửi)" in page_.inner_text("#portal-sync-state")
    page_.screenshot(path=str(ARTIFACTS / "dossier-sync.png"))
