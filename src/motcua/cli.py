"""The ``motcua`` console command: Django's management commands under the project's settings."""

import os
import sys

#: Command names with a dash (the spec's spelling) for management commands, whose module names cannot have one.
ALIASES = {"fake-portal": "fake_portal", "notify-digest": "notify_digest"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    execute_from_command_line(["motcua", *args])


if __name__ == "__main__":
    main()
