"""Result-file links: only absolute http(s) URLs are accepted and rendered as links."""

import pytest
from django.template import Context, Template

from motcua.core.weblinks import is_web_url

UNSAFE = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/kq.pdf",
    "/media/kq.pdf",
    "kq.pdf",
    "http:/evil.example",
    "https:javascript:alert(1)",
    "http://",
    "https://exa mple.vn/kq.pdf",
    "",
]
SAFE = [
    "https://dichvucong.gov.vn/kq/1.pdf",
    "http://10.0.0.5:8080/kq?id=1&x=2",
    "HTTPS://Example.VN/a#b",
    "https://kq/g1",
]


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_urls_are_refused(url):
    assert not is_web_url(url)


@pytest.mark.parametrize("url", SAFE)
def test_http_urls_are_accepted(url):
    assert is_web_url(url)


@pytest.mark.parametrize(("url", "shown"), [(u, "") for u in UNSAFE] + [(u, u.replace("&", "&amp;")) for u in SAFE])
def test_the_filter_gives_a_url_only_when_it_is_safe(url, shown):
    template = Template("{% load weblinks %}{{ url|web_url }}")
    assert template.render(Context({"url": url})) == shown
