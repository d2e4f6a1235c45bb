"""The navigation each official sees, from their positions (one cached lookup per request)."""

from motcua.access import policy
from motcua.org.models import Role

_SECTIONS = {"desk": "desk", "queue": "queue", "search": "search", "approvals": "approvals"}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    roles = policy.roles(user)
    match = getattr(request, "resolver_match", None)
    section = ""
    if match is not None:
        if match.namespace == "scoreboard":
            section = "scoreboard"
        else:
            section = next((s for prefix, s in _SECTIONS.items() if (match.url_name or "").startswith(prefix)), "")
    return {"nav": {
        "desk": Role.DESK_OFFICER in roles,
        "queue": bool(roles & {Role.SPECIALIST, Role.LEADER}),
        "approvals": Role.LEADER in roles,
        "section": section,
        "roles": roles,
    }}
