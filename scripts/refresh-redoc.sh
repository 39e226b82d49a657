#!/usr/bin/env bash
# Re-download the vendored API docs viewer, Redoc's standalone bundle, from
# the npm registry into static/ (redoc.standalone.js, its licences and
# redoc.SOURCE).
#
#   bash scripts/refresh-redoc.sh              # the newest 2.x
#   REDOC_PKG=redoc@2.5.4 bash scripts/refresh-redoc.sh
#
# The package is fetched with `npm pack --ignore-scripts`: nothing is
# installed and no lifecycle script runs. The bundle draws one image from
# Redocly's CDN (the logo of its "API docs by Redocly" link); that URL is
# replaced by an empty data: URL, so /docs asks nothing of any other host
# (the component hides an image that fails to load). The script refuses a
# bundle that still names the CDN, or names Google Fonts.
# Needs bash, npm (with node), tar and sed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/static"
pkg="${REDOC_PKG:-redoc@2}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --ignore-scripts --json --loglevel=error "$pkg") >"$tmp/pack.json"
IFS=$'\t' read -r name version filename integrity < <(node -e '
	const [p] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
	console.log([p.name, p.version, p.filename, p.integrity].join("\t"))' "$tmp/pack.json")
case "$version" in
2.*) ;;
*)
	echo "refresh-redoc: $name@$version is not 2.x; /docs is written for Redoc 2" >&2
	exit 1
	;;
esac
tar -xzf "$tmp/$filename" -C "$tmp"
bundle="$tmp/package/bundles/redoc.standalone.js"
sed -i 's#https://cdn\.redoc\.ly/redoc/logo-mini\.svg#data:,#g' "$bundle"
if grep -q -e 'cdn\.redoc\.ly' -e 'fonts\.googleapis' -e 'fonts\.gstatic' "$bundle"; then
	echo "refresh-redoc: $name@$version loads something from another host; look before vendoring it" >&2
	exit 1
fi

cp "$bundle" "$out/redoc.standalone.js"
cp "$tmp/package/LICENSE" "$out/redoc.LICENSE"
# The licences of the libraries bundled inside it, as the bundle names them.
cp "$tmp/package/bundles/redoc.standalone.js.LICENSE.txt" "$out/redoc.standalone.js.LICENSE.txt"
cat >"$out/redoc.SOURCE" <<EOT
$name@$version from the npm registry, bundles/redoc.standalone.js,
vendored by scripts/refresh-redoc.sh (do not edit by hand: re-run it).
Integrity (npm tarball SRI): $integrity
Changed: the logo URL https://cdn.redoc.ly/redoc/logo-mini.svg is replaced
by data:, so that the page loads nothing from outside.
Licence: redoc.LICENSE (MIT); the bundled
libraries' notices: redoc.standalone.js.LICENSE.txt.
EOT
echo "refresh-redoc: wrote $out/redoc.standalone.js ($name@$version, $(wc -c <"$out/redoc.standalone.js") bytes)"
