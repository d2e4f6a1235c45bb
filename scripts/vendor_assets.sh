#!/usr/bin/env bash
# Vendor the front-end assets into the package, once, by a maintainer.
# The copies are committed so the wheel ships them; nothing is fetched at run
# time or in CI (DESIGN.md §3). Re-run to upgrade, then review the diff and
# the SHA-256 manifest.
set -euo pipefail
BOOTSTRAP=5.3.8
CHARTJS=4.5.1
ICONS=1.13.1
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/motcua/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "bootstrap@$BOOTSTRAP" "chart.js@$CHARTJS" "bootstrap-icons@$ICONS" >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}"; tar -xzf "$f" -C "${f%.tgz}"; done
rm -rf "$dest"; mkdir -p "$dest/bootstrap" "$dest/chartjs" "$dest/bootstrap-icons/fonts"
cp "bootstrap-$BOOTSTRAP/package/dist/css/bootstrap.min.css" "$dest/bootstrap/"
cp "bootstrap-$BOOTSTRAP/package/dist/js/bootstrap.bundle.min.js" "$dest/bootstrap/"
cp "bootstrap-$BOOTSTRAP/package/LICENSE" "$dest/bootstrap/LICENSE"
cp "chart.js-$CHARTJS/package/dist/chart.umd.min.js" "$dest/chartjs/" 2>/dev/null \
  || cp "chart.js-$CHARTJS/package/dist/chart.umd.js" "$dest/chartjs/chart.umd.min.js"
cp "chart.js-$CHARTJS/package/LICENSE.md" "$dest/chartjs/LICENSE.md"
cp "bootstrap-icons-$ICONS/package/font/bootstrap-icons.min.css" "$dest/bootstrap-icons/"
cp "bootstrap-icons-$ICONS/package/font/fonts/"bootstrap-icons.woff* "$dest/bootstrap-icons/fonts/"
cp "bootstrap-icons-$ICONS/package/LICENSE" "$dest/bootstrap-icons/LICENSE"
# No source maps are shipped: drop the comments that point at them (a
# manifest static storage would fail on the missing files).
find "$dest" -name '*.js' -o -name '*.css' | xargs sed -i -E '/^\/[*\/]# sourceMappingURL=.*$/d'
cat > "$dest/VERSIONS" <<V
bootstrap $BOOTSTRAP
chart.js $CHARTJS
bootstrap-icons $ICONS
V
(cd "$dest" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
echo "vendored into $dest"
