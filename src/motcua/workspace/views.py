"""The workspace's front door: each official lands where their day starts."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from motcua.access import policy
from motcua.org.models import Role


@login_required
def home(request):
    """Desk officers land at the desk, specialists and leaders on their queue, overseers on the scoreboard."""
    roles = policy.roles(request.user)
    if Role.DESK_OFFICER in roles:
        return redirect("workspace:desk")
    if roles & {Role.SPECIALIST, Role.LEADER}:
        return redirect("workspace:queue")
    if roles:
        return redirect("scoreboard:overview")
    return render(request, "workspace/no_position.html", status=403)
