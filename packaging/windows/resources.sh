#!/usr/bin/env bash
# Writes the Windows resources of one command into its package folder as
# cmd/NAME/rsrc_windows_amd64.syso, which `go build` links into the .exe
# (GOOS=windows only; other builds ignore the file by its suffix):
#   - the icon (packaging/icons/tradein-terminal.ico): Explorer, taskbar,
#     Start menu and Add/Remove Programs show it;
#   - version information (Details tab): product and file version, the
#     build's VERSION string and its four-number form, company, copyright;
#   - a manifest: runs as the invoking user (asInvoker: the app runs under
#     the shop's account; terminalctl says itself when it needs an elevated
#     console), Windows 10 and later, per-monitor DPI awareness (v2, the
#     mode GLFW would ask for at run time; a manifest setting wins over the
#     API, so it must agree), long paths.
# The caller removes the .syso after the build (package.sh does).
#
# go-winres (github.com/tc-hib/go-winres) is run from the module proxy at
# a pinned version, like nfpm: a pure-Go tool, so no Windows SDK or windres
# is needed on the Linux build machine.
#
# Usage: resources.sh NAME VERSION NUMVERSION
#   NAME        tradein-terminal or terminalctl
#   VERSION     the build's version string (shown as is)
#   NUMVERSION  a.b.c.d (each < 65536) for the fixed version fields
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 NAME VERSION NUMVERSION" >&2; exit 2; }
name=$1 version=$2 numversion=$3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GO=${GO:-go}
WINRES_VERSION=v0.3.3

case $name in
  tradein-terminal) desc="以旧换新门店终端 Trade-in store terminal" ;;
  terminalctl) desc="以旧换新门店终端运维工具 Field-support tool of the trade-in store terminal" ;;
  *) echo "resources.sh: unknown command $name" >&2; exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/tradein-winres.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$ROOT/packaging/icons/tradein-terminal.ico" "$work/app.ico"
# JSON strings: the version comes from git describe or the caller; keep it
# to the characters versions use.
if [[ ! $version =~ ^[A-Za-z0-9.+~_-]+$ ]]; then
  echo "resources.sh: version $version has characters a version does not use" >&2
  exit 2
fi
cat >"$work/winres.json" <<JSON
{
  "RT_GROUP_ICON": {
    "APP": {"0000": "app.ico"}
  },
  "RT_MANIFEST": {
    "#1": {
      "0409": {
        "description": "$desc",
        "minimum-os": "win10",
        "execution-level": "as invoker",
        "dpi-awareness": "per monitor v2",
        "long-path-aware": true
      }
    }
  },
  "RT_VERSION": {
    "#1": {
      "0000": {
        "fixed": {
          "file_version": "$numversion",
          "product_version": "$numversion"
        },
        "info": {
          "0409": {
            "CompanyName": "Tradein Terminal",
            "FileDescription": "$desc",
            "FileVersion": "$version",
            "InternalName": "$name",
            "LegalCopyright": "© Tradein Terminal maintainers",
            "OriginalFilename": "$name.exe",
            "ProductName": "以旧换新门店终端 Trade-in store terminal",
            "ProductVersion": "$version"
          }
        }
      }
    }
  }
}
JSON
# The tool runs on this machine: no cross-compilation settings for it.
(cd "$work" && env -u GOOS -u GOARCH -u CC -u CGO_ENABLED GOFLAGS= \
  "$GO" run "github.com/tc-hib/go-winres@$WINRES_VERSION" make --in winres.json --arch amd64 --out rsrc)
mv "$work/rsrc_windows_amd64.syso" "$ROOT/cmd/$name/rsrc_windows_amd64.syso"
