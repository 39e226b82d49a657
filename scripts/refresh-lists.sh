#!/usr/bin/env bash
# Re-download the vendored e-mail lists from the npm registry and regenerate
# verify/domains/data/ (the lists, their licences and SOURCES.md).
#
#   bash scripts/refresh-lists.sh
#
# Packages default to their latest versions; pin one with e.g.
#   DISPOSABLE_PKG=disposable-email-domains@1.0.62 bash scripts/refresh-lists.sh
# (also FREE_PKG, ROLE_PKG). Output is deterministic for given versions:
# entries are trimmed, lower-cased, sorted bytewise and de-duplicated, and
# SOURCES.md records each version's publish date, not today's date.
# Packages are fetched with `npm pack --ignore-scripts`: nothing from them is
# installed, and no lifecycle script runs. Needs bash, npm (with node) and tar.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/verify/domains/data"
disposable_pkg="${DISPOSABLE_PKG:-disposable-email-domains}"
free_pkg="${FREE_PKG:-free-email-domains}"
role_pkg="${ROLE_PKG:-role-based-email-addresses}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
stage="$tmp/stage"
mkdir -p "$stage" "$data"
export LC_ALL=C

# fetch SPEC KEY: download and unpack SPEC into $tmp/KEY/package, and record
# name, version, integrity, licence and publish date in $tmp/KEY.meta.
fetch() {
	local spec=$1 key=$2 dir="$tmp/$2"
	mkdir -p "$dir"
	(cd "$dir" && npm pack --ignore-scripts --json --loglevel=error "$spec") >"$dir/pack.json"
	node - "$dir/pack.json" >"$tmp/$key.meta" <<-'JS'
		const [p] = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'))
		console.log([p.name, p.version, p.filename, p.integrity].join('\t'))
	JS
	local name version filename integrity lic published
	IFS=$'\t' read -r name version filename integrity <"$tmp/$key.meta"
	tar -xzf "$dir/$filename" -C "$dir"
	lic="$(node -p 'require(process.argv[1]).license || "UNKNOWN"' "$dir/package/package.json")"
	published="$(npm view --json --loglevel=error "$name" time | node -e '
		let s = ""; process.stdin.on("data", d => s += d).on("end", () =>
			console.log((JSON.parse(s)[process.argv[1]] || "unknown").slice(0, 10)))' "$version")"
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$version" "$integrity" "$lic" "$published" >"$tmp/$key.meta"
}

# extract KIND SRC OUT: write SRC's entries to OUT, one per line, trimmed,
# lower-cased, sorted and unique. KIND is "domain" or "local". A .json SRC
# must hold a JSON array; a .js SRC is a CommonJS module exporting an array,
# evaluated in an empty vm context (no require, no process).
extract() {
	local kind=$1 src=$2 out=$3
	node - "$kind" "$src" <<-'JS' | sort -u >"$out"
		const fs = require('fs'), vm = require('vm')
		const [kind, src] = process.argv.slice(2)
		const text = fs.readFileSync(src, 'utf8')
		let list
		if (src.endsWith('.json')) {
			list = JSON.parse(text)
		} else {
			const sandbox = { module: { exports: {} } }
			sandbox.exports = sandbox.module.exports
			vm.runInNewContext(text, sandbox, { timeout: 5000 })
			list = sandbox.module.exports
		}
		if (!Array.isArray(list)) throw new Error(`${src}: not an array`)
		const out = []
		for (const raw of list) {
			let e = String(raw).trim().toLowerCase()
			if (kind === 'domain') e = e.replace(/^\*\./, '').replace(/\.$/, '')
			if (e === '' || e.startsWith('#')) continue
			if (/[\s@]/u.test(e) || (kind === 'domain' && !e.includes('.'))) {
				throw new Error(`${src}: bad ${kind} entry ${JSON.stringify(raw)}`)
			}
			out.push(e)
		}
		process.stdout.write(out.length ? out.join('\n') + '\n' : '')
	JS
}

# licence KEY NAME: copy the package's licence file to $stage/NAME.LICENSE,
# or, when it ships none, the licence section of its readme with a note.
licence() {
	local pkg="$tmp/$1/package" name=$2 f
	for f in LICENSE LICENSE.md LICENSE.txt LICENCE license license.md; do
		if [[ -f "$pkg/$f" ]]; then
			cat "$pkg/$f" >"$stage/$name.LICENSE"
			return
		fi
	done
	node - "$pkg" "$name" >"$stage/$name.LICENSE" <<-'JS'
		const fs = require('fs'), path = require('path')
		const [dir, name] = process.argv.slice(2)
		const readme = fs.readdirSync(dir).find(f => /^readme(\.md)?$/i.test(f))
		const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
		const text = readme ? fs.readFileSync(path.join(dir, readme), 'utf8') : ''
		const m = text.match(/^(#+)\s*licen[cs]e\b.*$/im)
		if (!m) throw new Error(`${name}: no LICENSE file and no licence section in the readme`)
		const rest = text.slice(m.index + m[0].length)
		const next = rest.search(new RegExp(`^#{1,${m[1].length}}\\s`, 'm'))
		const section = (next < 0 ? rest : rest.slice(0, next)).trim()
		console.log(`${name}@${pj.version} ships no LICENSE file. Its package.json declares`)
		console.log(`"license": ${JSON.stringify(pj.license)}; the text below is the licence section`)
		console.log(`of its ${readme}, verbatim.\n\n${section}`)
	JS
}

fetch "$disposable_pkg" disposable
fetch "$free_pkg" free
fetch "$role_pkg" role

extract domain "$tmp/disposable/package/index.json" "$stage/disposable.txt"
extract domain "$tmp/disposable/package/wildcard.json" "$stage/disposable-wildcard.txt"
extract domain "$tmp/free/package/domains.json" "$stage/free.txt"
extract local "$tmp/role/package/src/index.js" "$stage/role.txt"

# Refuse to replace good data with a broken download.
check_min() {
	local n
	n=$(wc -l <"$stage/$1")
	if ((n < $2)); then
		echo "refresh-lists: $1 has only $n entries (expected at least $2); not updating" >&2
		exit 1
	fi
}
check_min disposable.txt 10000
check_min disposable-wildcard.txt 10
check_min free.txt 1000
check_min role.txt 100

IFS=$'\t' read -r dname dver dint dlic dpub <"$tmp/disposable.meta"
IFS=$'\t' read -r fname fver fint flic fpub <"$tmp/free.meta"
IFS=$'\t' read -r rname rver rint rlic rpub <"$tmp/role.meta"
licence disposable "$dname"
licence free "$fname"
licence role "$rname"

cat >"$stage/SOURCES.md" <<EOF
# Sources of the vendored lists

Generated by \`scripts/refresh-lists.sh\` from the npm registry (\`npm pack\`,
no install scripts run). Do not edit by hand: re-run the script. Entries are
trimmed, lower-cased, sorted bytewise (LC_ALL=C) and de-duplicated; domain
entries lose a leading \`*.\` and a trailing dot.

| file | package | version | published | licence | from |
| --- | --- | --- | --- | --- | --- |
| disposable.txt | $dname | $dver | $dpub | $dlic | index.json |
| disposable-wildcard.txt | $dname | $dver | $dpub | $dlic | wildcard.json (any subdomain is disposable) |
| free.txt | $fname | $fver | $fpub | $flic | domains.json |
| role.txt | $rname | $rver | $rpub | $rlic | src/index.js (all categories) |

Licence texts: \`$dname.LICENSE\`, \`$fname.LICENSE\`, \`$rname.LICENSE\`.

Integrity (npm tarball SRI):

- $dname@$dver: \`$dint\`
- $fname@$fver: \`$fint\`
- $rname@$rver: \`$rint\`
EOF

printf '%-26s %8s %8s %8s\n' file entries added removed
for f in disposable.txt disposable-wildcard.txt free.txt role.txt; do
	old="$data/$f"
	[[ -f "$old" ]] || old=/dev/null
	printf '%-26s %8d %8d %8d\n' "$f" "$(wc -l <"$stage/$f")" \
		"$(comm -13 "$old" "$stage/$f" | wc -l)" "$(comm -23 "$old" "$stage/$f" | wc -l)"
done
for f in "$stage"/*; do
	cat "$f" >"$data/$(basename "$f")"
done
echo "refresh-lists: wrote $data ($dname@$dver, $fname@$fver, $rname@$rver)"
