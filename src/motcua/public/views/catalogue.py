"""Procedure catalogue (/thu-tuc/), a unit's public page (/don-vi/<code>/) and its embeddable version
(/nhung/<code>/), which a unit's own website frames.

Only the embed's two views are exempt from X-Frame-Options (every other page is DENY): any website may
frame them (a unit's own site, its provider's CMS, whatever its origin), and they hold no form that
changes anything, so there is nothing to clickjack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from csp.decorators import csp_replace
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from .. import catalogue
from ..forms import CatalogueForm

PAGE_SIZE = 20


def _results(request, form: CatalogueForm, unit=None, fingerprint=None):
    data = form.cleaned_data if form.is_valid() else {}
    if unit is None and data.get("unit"):
        unit = catalogue.public_unit(data["unit"])
    rows = catalogue.search(
        data.get("q", ""),
        unit=unit,
        field_code=data.get("field", ""),
        level=data.get("level", ""),
        fingerprint=fingerprint,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


@require_GET
def procedures(request):
    fingerprint = catalogue.fingerprint()
    form = CatalogueForm(request.GET, fingerprint=fingerprint)
    page, querystring = _results(request, form, fingerprint=fingerprint)
    return render(
        request,
        "public/procedures.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring,
            "searched": bool(request.GET),
            "level_names": dict(catalogue.LEVELS),
        },
    )


@require_GET
def procedure(request, code: str):
    detail = catalogue.procedure_detail(code)
    if detail is None:
        raise Http404
    return render(
        request,
        "public/procedure.html",
        {
            "d": detail,
            "level_places": [catalogue.LEVEL_PLACES[lv] for lv in detail.procedure.levels],
            "embedded": False,
        },
    )


def _unit(code: str):
    unit = catalogue.public_unit(code)
    if unit is None:
        raise Http404
    return unit


@require_GET
def unit_page(request, unit_code: str):
    """A unit's public page: its procedures and the snippet that puts them on the unit's own website."""
    unit = _unit(unit_code)
    embed_url = settings.MOTCUA_PUBLIC_URL.rstrip("/") + reverse("public:embed", args=[unit.code])
    snippet = (
        f'<iframe src="{embed_url}" title="Thủ tục hành chính — {unit.name}" width="100%" height="640" '
        'style="border:0;max-width:100%" loading="lazy"></iframe>'
    )
    return render(
        request,
        "public/unit.html",
        {
            "unit": unit,
            "count": len(catalogue.unit_procedure_ids(unit)),
            "snippet": snippet,
            "embed_url": embed_url,
        },
    )


_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])
_frame_anywhere = csp_replace({"frame-ancestors": ["*"]})


def framed_anywhere(view: _View) -> _View:
    """The embed is meant to be framed by the units' own websites, wherever they are hosted."""
    # django-csp types the view it returns as taking the request alone; these take URL arguments too.
    return _frame_anywhere(view)  # type: ignore[return-value]


@require_GET
@xframe_options_exempt
@framed_anywhere
def embed(request, unit_code: str):
    """The unit's procedures only, searchable, in a page without the site's navigation (framed elsewhere)."""
    unit = _unit(unit_code)
    fingerprint = catalogue.fingerprint()
    form = CatalogueForm(request.GET, unit=unit, fingerprint=fingerprint)
    page, querystring = _results(request, form, unit=unit, fingerprint=fingerprint)
    return render(
        request,
        "public/embed.html",
        {
            "unit": unit,
            "form": form,
            "page": page,
            "querystring": querystring,
            "searched": bool(request.GET),
        },
    )


@require_GET
@xframe_options_exempt
@framed_anywhere
def embed_procedure(request, unit_code: str, code: str):
    unit = _unit(unit_code)
    detail = catalogue.procedure_detail(code, unit=unit)
    if detail is None:  # not one of this unit's procedures
        raise Http404
    return render(
        request,
        "public/embed_procedure.html",
        {
            "unit": unit,
            "d": detail,
            "embedded": True,
            "level_places": [catalogue.LEVEL_PLACES[lv] for lv in detail.procedure.levels],
        },
    )
