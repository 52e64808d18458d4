#!/usr/bin/env bash
# Authenticode-signs one Windows executable in place with osslsigncode.
# Usage: SIGN_CERT=cert.pem SIGN_KEY=key.pem sign.sh FILE.exe
# SIGN_TIMESTAMP_URL (optional) adds an RFC 3161 timestamp, so the signature
# stays valid after the certificate expires. package.sh calls it for every
# .exe and the installer; installer.nsi calls it for the uninstaller
# (!uninstfinalize), which NSIS writes while it builds the installer.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 FILE.exe" >&2; exit 2; }
: "${SIGN_CERT:?SIGN_CERT must name the PEM certificate}"
: "${SIGN_KEY:?SIGN_KEY must name the PEM private key}"
f=$1
ts=()
[ -n "${SIGN_TIMESTAMP_URL:-}" ] && ts=(-ts "$SIGN_TIMESTAMP_URL")
osslsigncode sign -certs "$SIGN_CERT" -key "$SIGN_KEY" -h sha256 \
  -n "Tradein Terminal" -i "https://tradein-terminal.example/" \
  "${ts[@]}" -in "$f" -out "$f.signed" >/dev/null
mv -f "$f.signed" "$f"
