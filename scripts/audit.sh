#!/usr/bin/env bash
# Known vulnerabilities of the locked dependencies (constraints.txt) with pip-audit.
#
# pip-audit asks a vulnerability service (PyPI's JSON API, or OSV with AUDIT_SERVICE=osv). Where
# that service cannot be reached (an offline build machine, or a package mirror that answers 404
# for the JSON API) pip-audit skips every package as "not found"; that is reported loudly as
# such, scripts/audit_latest.py then checks the packages locked at their latest release against PyPI's
# project JSON (a known vulnerability fails the build) and names the others NOT AUDITED, which, unless
# AUDIT_REQUIRED=1, does not fail the build. Otherwise any known vulnerability, or any package pip-audit
# could not check, fails.
set -uo pipefail
cd "$(dirname "$0")/.."
service="${AUDIT_SERVICE:-pypi}"
lock="${1:-constraints.txt}"
out="$(mktemp)"
.venv/bin/pip-audit -r "$lock" --no-deps --disable-pip --progress-spinner off -s "$service" \
  --desc off >"$out" 2>&1
rc=$?
total=$(grep -cvE '^\s*(#|$)' "$lock")
skipped=$(grep -cE 'could not be audited|not found on PyPI' "$out")
if [ "$rc" -ne 0 ] && grep -qE 'ConnectionError|NameResolutionError|Max retries' "$out"; then
  skipped=$total
fi
if [ "$skipped" -ge "$total" ]; then
  echo "pip-audit: the $service vulnerability service is unreachable from here ($total packages skipped)."
  # Fallback: PyPI's project JSON, which covers only each project's latest release (scripts/audit_latest.py).
  .venv/bin/python scripts/audit_latest.py "$lock"
  fallback=$?
  [ "$fallback" -eq 1 ] && exit 1
  if [ "$fallback" -ne 0 ]; then
    echo "pip-audit: NOT AUDITED - no vulnerability service answers. Run scripts/audit.sh where one does."
  else
    echo "pip-audit: PARTLY AUDITED - the packages listed as not audited were not checked."
  fi
  [ "${AUDIT_REQUIRED:-0}" = "1" ] && exit 1
  exit 0
fi
cat "$out"
if [ "$rc" -ne 0 ] || [ "$skipped" -gt 0 ]; then
  echo "pip-audit: $skipped of $total packages not checked or vulnerabilities found"
  exit 1
fi
echo "pip-audit: $total packages, no known vulnerabilities"
