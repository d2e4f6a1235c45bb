"""Prepare and serve the test OpenID provider: ``python -m tests.access.oidc_op.run PORT REDIRECT_URI``.

Environment: OP_DIR (its database), OP_PEOPLE ("number:password:name" separated by ";").
"""

import os
import sys

import django


def main():
    port, redirect_uri = sys.argv[1], sys.argv[2]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.access.oidc_op.settings"
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0, interactive=False)
    call_command("creatersakey")
    for entry in filter(None, os.environ.get("OP_PEOPLE", "").split(";")):
        number, password, name = entry.split(":", 2)
        User.objects.create_user(number, password=password, first_name=name)
    client = Client.objects.create(
        name="motcua",
        client_type="confidential",
        client_id="motcua-test",
        client_secret="motcua-test-secret",
        jwt_alg="RS256",
        require_consent=False,
        reuse_consent=True,
    )
    client.redirect_uris = [redirect_uri]
    client.scope = ["openid", "profile"]
    client.save()
    client.response_types.add(ResponseType.objects.get(value="code"))
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True, skip_checks=True)


if __name__ == "__main__":
    main()
