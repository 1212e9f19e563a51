#!/usr/bin/env bash
# Vendor KaTeX from the npm registry into docs/assets/katex/ (the site loads
# nothing from another host). katex.min.js renders the math at build time
# (hooks/katex_ssr.py); no page loads it. Keeps the woff2 fonts only (every browser the site
# supports reads woff2) and drops the woff/ttf fallbacks from the stylesheet so
# that it references no missing file. Usage: scripts/vendor-katex.sh [VERSION]
set -euo pipefail
version=${1:-0.19.1}
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/docs/assets/katex"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "katex@$version" >/dev/null && tar xzf "katex-$version.tgz")
rm -rf "$dest"
mkdir -p "$dest/fonts"
cp "$work/package/dist/katex.min.js" "$work/package/dist/katex.min.css" "$dest/"
cp "$work/package/dist/fonts/"*.woff2 "$dest/fonts/"
cp "$work/package/LICENSE" "$dest/LICENSE"
sed -i -E 's/,url\(fonts\/[A-Za-z0-9_-]+\.(woff|ttf)\) format\("(woff|truetype)"\)//g' "$dest/katex.min.css"
echo "$version" > "$dest/VERSION"
echo "KaTeX $version vendored into $dest"
