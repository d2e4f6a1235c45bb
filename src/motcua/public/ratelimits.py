"""Request limits on the public pages that read a dossier (django-ratelimit, fixed windows in the cache).

Against enumeration of dossier codes and second factors: each client (address) has a budget of look-ups
by code and factor per window, and each dossier code has one for all clients together. A client over its
budget gets 429 with ``Retry-After`` until its window ends; the next window lets it through again. The
rates are settings (``MOTCUA_TRACKING_RATE`` …) read at request time, so tests can change them.
"""

from __future__ import annotations

import ipaddress
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage


def client_address(request) -> str:
    """The client's address: the last hop of ``MOTCUA_CLIENT_IP_HEADER`` (set by our proxy) when configured."""
    header = settings.MOTCUA_CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        hops = [hop.strip() for hop in value.split(",") if hop.strip()]
        if hops and _is_address(hops[-1]):
            return hops[-1]  # earlier hops are whatever the client wrote
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def too_many_requests(request, retry_after: int):
    response = render(request, "public/too_many_requests.html", {"retry_after": max(retry_after, 1)}, status=429)
    response["Retry-After"] = str(max(retry_after, 1))
    return response


def over_limit(request, group: str, rate_setting: str, key="ip") -> int | None:
    """Count this request against ``group``'s budget; the seconds to wait when it is over, else None."""
    usage = get_usage(request, group=group, key=key, rate=getattr(settings, rate_setting), increment=True)
    if usage is not None and usage["should_limit"]:
        return usage["time_left"]
    return None


def limited(group: str, rate_setting: str = "MOTCUA_PUBLIC_RATE", methods=("GET", "POST")):
    """A view decorator: 429 once the client has used its budget of ``rate_setting`` in this window."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                wait = over_limit(request, f"public.{group}", rate_setting)
                if wait is not None:
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
