#!/usr/bin/env bash
# Fail when the generated templ files (*_templ.go) are out of date.
#
# Regenerates them with the pinned templ (go tool templ generate) and
# compares checksums of every *_templ.go file (tracked or not, outside
# .data/) before and after. Any changed, new or removed file is an error;
# the regenerated files are left in place so they can be committed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

snapshot() {
	find . \( -path ./.data -o -path ./.git -o -path ./node_modules \) -prune -o \
		-type f -name '*_templ.go' -print0 |
		sort -z |
		xargs -0 -r sha256sum
}

before="$(snapshot)"

if ! gen_out="$(go tool templ generate 2>&1)"; then
	printf '%s\n' "$gen_out" >&2
	echo "check-generated: 'go tool templ generate' failed" >&2
	exit 1
fi

after="$(snapshot)"

if [[ "$before" != "$after" ]]; then
	echo "check-generated: generated templ files were stale; they were regenerated — commit them." >&2
	echo "check-generated: files that changed, appeared or disappeared:" >&2
	diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") |
		sed -n 's/^[<>] [0-9a-f]\{64\}  \(.*\)$/  \1/p' | sort -u >&2 || true
	exit 1
fi

count=0
[[ -z "$after" ]] || count="$(printf '%s\n' "$after" | wc -l)"
echo "check-generated: $count generated templ file(s) up to date"
