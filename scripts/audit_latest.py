"""The fallback of scripts/audit.sh: known vulnerabilities from PyPI's project JSON, where pip-audit cannot ask.

pip-audit asks PyPI for each locked version (``/pypi/<name>/<version>/json``) or OSV. Some package mirrors
answer only the project endpoint (``/pypi/<name>/json``), whose ``vulnerabilities`` list covers the project's
latest release. So this script audits a locked package only when it is locked at that latest release, and
names every other package as not audited: it never reports a package as clean that it did not check.

    python scripts/audit_latest.py constraints.txt [--index https://pypi.org/pypi]

Exit status: 0 no known vulnerability in the audited packages (even if some were not audited; the caller
decides), 1 a vulnerability was found, 2 the project JSON could not be read at all.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


@dataclass
class Report:
    audited: list[str] = field(default_factory=list)
    vulnerable: list[str] = field(default_factory=list)  # "name version: ids"
    not_audited: list[str] = field(default_factory=list)  # "name version (why)"


def pins(lines: Iterable[str]) -> list[tuple[str, str]]:
    """``name==version`` lines of a constraints file (comments, blanks and markers ignored)."""
    return [(m[1], m[2]) for line in lines if (m := PIN.match(line))]


def audit(locked: list[tuple[str, str]], project_json: Callable[[str], dict | None]) -> Report:
    """Check each locked version against its project's JSON (``None`` when the project could not be read)."""
    report = Report()
    for name, version in locked:
        data = project_json(name)
        if data is None:
            report.not_audited.append(f"{name} {version} (project JSON unreadable)")
            continue
        latest = data.get("info", {}).get("version")
        if latest != version:
            report.not_audited.append(f"{name} {version} (PyPI's project JSON covers only the latest, {latest})")
            continue
        report.audited.append(name)
        ids = [v.get("id", "?") for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]
        if ids:
            report.vulnerable.append(f"{name} {version}: {', '.join(ids)}")
    return report


def fetcher(index: str, timeout: float = 20) -> Callable[[str], dict | None]:
    def project_json(name: str) -> dict | None:
        try:
            with urllib.request.urlopen(f"{index}/{name}/json", timeout=timeout) as response:
                return json.load(response)
        except (urllib.error.URLError, TimeoutError, ValueError):
            return None

    return project_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lock", help="a constraints file of name==version lines")
    parser.add_argument("--index", default="https://pypi.org/pypi", help="the JSON API's base address")
    args = parser.parse_args(argv)
    with open(args.lock, encoding="utf-8") as f:
        locked = pins(f)
    report = audit(locked, fetcher(args.index))
    for line in report.vulnerable:
        print(f"VULNERABLE {line}")
    for line in report.not_audited:
        print(f"not audited: {line}")
    print(
        f"PyPI project JSON: {len(report.audited)} of {len(locked)} packages audited, "
        f"{len(report.vulnerable)} with known vulnerabilities, {len(report.not_audited)} not audited"
    )
    if not report.audited:
        return 2
    return 1 if report.vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
