"""The navigation each official sees, from their positions (one cached lookup per request)."""

from motcua.access import policy
from motcua.org.models import Role

from .oversight import queries as oversight

_SECTIONS = {
    "desk": "desk",
    "queue": "queue",
    "search": "search",
    "approvals": "approvals",
    "assign": "assignments",
    "portal-": "portal-sync",
    "complaint": "complaints",
    "payment-": "payments",
    "follow-up": "follow-ups",
}
#: The complaints list is in the menu of those who handle them and of the control officer.
_COMPLAINT_MENU = frozenset({Role.DESK_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CONTROL_OFFICER})


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
    return {
        "nav": {
            "desk": Role.DESK_OFFICER in roles,
            "queue": bool(roles & {Role.SPECIALIST, Role.LEADER}),
            "approvals": Role.LEADER in roles,
            "portal_sync": bool(roles & oversight.SYNC_ROLES),
            "complaints": bool(roles & _COMPLAINT_MENU),
            "payments": bool(roles & oversight.PAYMENT_ROLES),
            "follow_ups": Role.LEADER in roles,  # "not satisfied" ratings to follow up (motcua.public)
            # The admin only for those who can do something there: a staff flag without any permission opens an
            # empty admin (a desk officer created as staff, as the demo's logins were).
            "admin": user.is_active and user.is_staff and (user.is_superuser or bool(user.get_all_permissions())),
            "section": section,
            "roles": roles,
        }
    }
