"""English is available as a full translation; Vietnamese stays the default.

The msgids are the Vietnamese text itself (src/motcua/locale/en/LC_MESSAGES/django.po). The catalogue
tests at the bottom fail when someone adds a string without translating it, or changes the .po without
recompiling the .mo (both files are committed, so machines without GNU gettext can run the site).
"""

from __future__ import annotations

import gettext as stdlib_gettext
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from motcua.dossiers.models import Status
from motcua.org.models import Role
from tests.factories import official, province_with_department

LOGIN = "/dang-nhap/"
DESK = "/can-bo/mot-cua/"
QUEUE = "/can-bo/viec-cua-toi/"
SCOREBOARD = "/bang-diem-766/"

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def assert_english(page: str, english: list[str], vietnamese: list[str]) -> None:
    for s in english:
        assert s in page, f"missing English text {s!r}"
    for s in vietnamese:
        assert s not in page, f"Vietnamese text {s!r} left on the English page"


def switch_to_english(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.fixture(autouse=True)
def _back_to_vietnamese():
    """A request in English leaves English active in this thread; later tests expect the default."""
    yield
    translation.deactivate()


@pytest.fixture
def units(db):
    return province_with_department()


# --- pages --------------------------------------------------------------------------------------------


def test_vietnamese_is_the_default(client, db):
    page = text(client.get(LOGIN))
    assert '<html lang="vi"' in page
    assert "Đăng nhập hệ thống" in page and "Dành cho cán bộ, công chức giải quyết thủ tục hành chính." in page
    assert "Sign in to the system" not in page


def test_setlang_switches_the_sign_in_page_to_english(client, db):
    switch_to_english(client)
    page = text(client.get(LOGIN))
    assert '<html lang="en"' in page
    assert_english(
        page,
        [
            "Sign in to the system",
            "For officials and civil servants handling administrative procedures.",
            "Username",
            "Password",
            "Administrative procedure information system",
        ],
        ["Đăng nhập hệ thống", "Tên đăng nhập", "Mật khẩu", "Hệ thống thông tin giải quyết thủ tục hành chính"],
    )


def test_language_cookie_alone_selects_english_and_back(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Sign in to the system" in text(client.get(LOGIN))
    client.post("/i18n/setlang/", {"language": "vi", "next": LOGIN})
    page = text(client.get(LOGIN))
    assert "Đăng nhập hệ thống" in page and "Sign in to the system" not in page


def test_desk_page_in_english(client, units):
    _province, department, _commune = units
    client.force_login(official("motcua_i18n", department, Role.DESK_OFFICER))
    switch_to_english(client)
    assert_english(
        text(client.get(DESK)),
        [
            "Receive a new dossier",
            "Awaiting reception",
            "Received, awaiting hand-off for processing",
            "Awaiting the citizen's supplement",
            "Result ready, awaiting return",
            "There are no dossiers in this list.",
            "One-stop desk",
            "Dossier lookup",
            "Sign out",
        ],
        [
            "Tiếp nhận hồ sơ mới",
            "Chờ tiếp nhận",
            "Có kết quả, chờ trả",
            "Không có hồ sơ nào trong danh sách này.",
            "Tra cứu hồ sơ",
            "Đăng xuất",
        ],
    )


def test_specialist_queue_in_english(client, units):
    _province, department, _commune = units
    client.force_login(official("chuyenvien_i18n", department, Role.SPECIALIST))
    switch_to_english(client)
    assert_english(
        text(client.get(QUEUE)),
        [
            "My tasks today",
            "Sorted by working hours left before the deadline, as of",
            "There are no dossiers in the queue.",
            "Overdue dossiers only",
            "Step deadline",
            "Clear filters",
            "Being processed",
        ],  # a Status choice label in the status filter
        [
            "Việc của tôi hôm nay",
            "Không có hồ sơ nào trong hàng việc.",
            "Chỉ hồ sơ quá hạn",
            "Hạn của bước",
            "Đang xử lý",
        ],
    )


def test_scoreboard_in_english(client, units):
    province, _department, _commune = units
    client.force_login(official("kiemsoat_i18n", province, Role.CONTROL_OFFICER))
    switch_to_english(client)
    assert_english(
        text(client.get(SCOREBOARD)),
        [
            "766 indicator set scoreboard",
            "Evaluation period",
            "Overview and ranking",
            "Late dossiers",
            "Officials with late processing",
            "Procedure publication and disclosure",
            "Figures computed by the system, not official National Public Service Portal figures",
        ],
        ["Bảng điểm Bộ chỉ số 766", "Kỳ đánh giá", "Tổng quan, xếp hạng", "Hồ sơ trễ hạn", "Số liệu do hệ thống tính"],
    )


def test_model_choice_labels_translate():
    assert str(Status.RETURNED.label) == "Đã trả kết quả"
    with translation.override("en"):
        assert str(Status.RETURNED.label) == "Result returned"
        assert str(Status.SUPPLEMENT_REQUESTED.label) == "Supplementary documents requested"
        assert str(Role.CONTROL_OFFICER.label) == "TTHC control officer"
        assert str(Role.DESK_OFFICER.label) == "One-stop desk officer"
    assert str(Status.RETURNED.label) == "Đã trả kết quả"


# --- the catalogue ------------------------------------------------------------------------------------


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), s[1:-1])


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file as written by makemessages (entries separated by blank lines).

    Each entry: msgctxt, msgid, msgid_plural, msgstr or msgstr[n] (str) and flags (set); obsolete (#~)
    lines are skipped. Small on purpose, so that the check needs neither GNU gettext nor polib.
    """
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, field = {"flags": set()}, None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                entry[field] += _unquote(line)
            else:
                field, _, value = line.partition(" ")
                entry[field] = _unquote(value)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _placeholders(s: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", s))


def test_every_english_entry_is_translated_and_not_fuzzy():
    entries = [e for e in read_po(PO_FILE) if e["msgid"]]  # the header has an empty msgid
    assert len(entries) > 700
    untranslated = [e["msgid"] for e in entries if not all(v for k, v in e.items() if k.startswith("msgstr"))]
    assert untranslated == [], f"{len(untranslated)} untranslated entries, e.g. {untranslated[:5]}"
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert fuzzy == [], f"fuzzy entries: {fuzzy[:5]}"
    for e in entries:
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])]
        for key, value in e.items():
            if key.startswith("msgstr"):
                source = sources[1] if key not in ("msgstr", "msgstr[0]") else sources[0]
                assert _placeholders(value) == _placeholders(source), (e["msgid"], value)


def test_compiled_catalogue_matches_the_po_file():
    """django.mo holds exactly what django.po says: recompile (compilemessages) after editing the .po."""
    with MO_FILE.open("rb") as f:
        mo = stdlib_gettext.GNUTranslations(f)
    entries = [e for e in read_po(PO_FILE) if e["msgid"]]
    for e in entries:
        msgid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            assert mo._catalog.get((msgid, 0)) == e["msgstr[0]"], e["msgid"]
            assert mo._catalog.get((msgid, 1)) == e["msgstr[1]"], e["msgid"]
        else:
            assert mo._catalog.get(msgid) == e["msgstr"], f"django.mo is stale for {e['msgid']!r}"
    assert len(mo._catalog) - 1 == sum(2 if "msgid_plural" in e else 1 for e in entries), (
        "django.mo has entries that django.po no longer has: recompile it"
    )


def test_a_browser_asking_for_english_still_gets_vietnamese_until_the_user_switches(client):
    page = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Đăng nhập hệ thống" in page and 'lang="vi"' in page
