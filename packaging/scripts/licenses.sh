#!/usr/bin/env bash
# Writes the licence texts of the third-party code the shipped programs are
# built from into one file, for the packages to install beside the
# programs (their licences, BSD, MIT, Apache-2.0 and others, ask binary
# distributions to carry the notices).
#
# Usage: licenses.sh OUTFILE PACKAGE...
#   e.g. GOOS=windows licenses.sh dist/licenses.txt ./cmd/tradein-terminal ./cmd/terminalctl
#
# The modules are those `go list -deps` names for the packages under the
# current GOOS, GOARCH, CGO_ENABLED and GOFLAGS (build tags), i.e. exactly
# what the build links; their sources come from the module cache. For each
# module it takes the licence files (LICENSE*, LICENCE*, COPYING*, NOTICE*,
# UNLICENSE*) at the module's root, and those in the linked packages'
# folders and one level below, where bundled C code (GLFW) and embedded
# fonts keep their own licences. Go's own licence covers the standard
# library and runtime linked into every program.
#
# A module without any licence file stops the script (exit 1): a package
# must not ship code whose licence it cannot show.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 OUTFILE PACKAGE..." >&2
  exit 2
fi
out=$1
shift
GO=${GO:-go}

licence_files() { # DIR MAXDEPTH
  find "$1" -maxdepth "$2" -type f \( -iname 'licen[cs]e*' -o -iname 'copying*' -o -iname 'notice*' -o -iname 'unlicense*' \) \
    -not -path '*/testdata/*' | LC_ALL=C sort
}

# module path, version, module dir, package dir; one line per linked
# package of a module other than this one.
deps=$("$GO" list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}}{{"\t"}}{{.Version}}{{"\t"}}{{.Dir}}{{"\t"}}{{$.Dir}}{{end}}{{end}}' "$@")

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
  printf 'Third-party software in the trade-in store terminal (%s/%s)\n\n' "$("$GO" env GOOS)" "$("$GO" env GOARCH)"
  printf 'The programs are built with Go and link the Go modules listed below.\n'
  printf 'Each section holds the licence texts the module ships.\n'

  goroot=$("$GO" env GOROOT)
  printf '\n%s\n%s (standard library and runtime)\n%s\n' "$(printf '=%.0s' {1..72})" "$("$GO" env GOVERSION)" "$(printf '=%.0s' {1..72})"
  printf -- '--- LICENSE\n'
  cat "$goroot/LICENSE"

  missing=()
  while IFS=$'\t' read -r path version; do
    [ -n "$path" ] || continue
    mdir=$(printf '%s\n' "$deps" | awk -F'\t' -v p="$path" '$1 == p && !seen++ {print $3}')
    files=$( {
      licence_files "$mdir" 1
      printf '%s\n' "$deps" | awk -F'\t' -v p="$path" '$1 == p {print $4}' | while read -r pdir; do
        licence_files "$pdir" 2
      done
    } | LC_ALL=C sort -u)
    if [ -z "$files" ]; then
      missing+=("$path $version")
      continue
    fi
    printf '\n%s\n%s %s\n%s\n' "$(printf '=%.0s' {1..72})" "$path" "$version" "$(printf '=%.0s' {1..72})"
    while read -r f; do
      printf -- '--- %s\n' "${f#"$mdir"/}"
      cat "$f"
      # A licence file without a final newline must not run into the next.
      [ -z "$(tail -c1 "$f")" ] || printf '\n'
    done <<<"$files"
  done < <(printf '%s\n' "$deps" | cut -f1,2 | LC_ALL=C sort -u)
  if [ ${#missing[@]} -gt 0 ]; then
    printf 'licenses.sh: no licence file found for: %s\n' "${missing[*]}" >&2
    exit 1
  fi
} >"$tmp"
chmod 0644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
