# Version strings for the packages, sourced by package.sh (and by the tests
# in packaging/packagetest, which call the functions directly).
#
# The build's version is what `git describe --tags --always --dirty` says
# (the Makefile's default) or what the caller passes. The binaries print it
# unchanged with --version; the packages need it in their own syntax.

# deb_version prints the Debian upstream version of a build version. It
# must start with a digit, hold only [A-Za-z0-9.+~], and sort the way the
# builds were made (dpkg --compare-versions), so that apt upgrades one
# build to a later one and never "upgrades" to an earlier one:
#
#   v1.2.0                    -> 1.2.0
#   v1.2.0-rc1                -> 1.2.0~rc1                (before 1.2.0)
#   v1.2.0-3-gabc1234         -> 1.2.0+git3.gabc1234      (after 1.2.0, by commit count)
#   v1.2.0-3-gabc1234-dirty   -> 1.2.0+git3.gabc1234.dirty
#   abc1234[-dirty]           -> 0.0.0~git<YYYYMMDDhhmmss>.abc1234[.dirty]
#   anything else (dev, …)    -> 0.0.0~<the same, cleaned>
#
# A build from a commit no tag reaches has only its hash, and hashes do not
# sort: such a version is ordered by the commit's date (UTC, from git in the
# repository given as $2, default the current folder) and sorts before every
# tagged release (~). Its hash must name a commit of that repository.
deb_version() {
  local v=${1#v} repo=${2:-.} dirty="" date
  if [[ $v == *-dirty ]]; then
    dirty=.dirty
    v=${v%-dirty}
  fi
  if [[ $v =~ ^([0-9a-f]{7,40})$ ]]; then
    date=$(TZ=UTC git -C "$repo" log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S "$v^{commit}" 2>/dev/null) || {
      echo "deb_version: $1 looks like a commit hash, but $repo has no such commit to date it" >&2
      return 1
    }
    printf '0.0.0~git%s.%s%s' "$date" "$v" "$dirty"
    return 0
  fi
  if [[ $v =~ ^([0-9].*)-([0-9]+)-g([0-9a-f]+)$ ]]; then
    printf '%s+git%s.g%s%s' "$(upstream_part "${BASH_REMATCH[1]}")" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" "$dirty"
    return 0
  fi
  if [[ $v =~ ^[0-9] ]]; then
    printf '%s%s' "$(upstream_part "$v")" "${dirty:++dirty}"
    return 0
  fi
  printf '0.0.0~%s%s' "$(upstream_part "$v")" "$dirty"
}

# upstream_part cleans a tag for Debian: a hyphen starts a pre-release
# (semver 1.2.0-rc1), which must sort before the release, so it becomes ~;
# any other character Debian does not allow becomes a dot.
upstream_part() {
  local v=${1//-/\~}
  printf '%s' "$v" | tr -c 'A-Za-z0-9.+~' '.'
}

# numeric_version gives the four numbers (each < 65536) Windows' version
# resource wants: 1.2.3 -> 1.2.3.0, 1.2.3-4-gabc -> 1.2.3.0; a version that
# is not dotted numbers (a commit hash) -> 0.0.0.0.
numeric_version() {
  local v=${1#v} a=0 b=0 c=0
  if [[ $v =~ ^([0-9]+)(\.([0-9]+))?(\.([0-9]+))?(\.[0-9]+)*([-+~]|$) ]]; then
    a=${BASH_REMATCH[1]} b=${BASH_REMATCH[3]:-0} c=${BASH_REMATCH[5]:-0}
  fi
  printf '%d.%d.%d.0' "$((10#$a % 65536))" "$((10#$b % 65536))" "$((10#$c % 65536))"
}
