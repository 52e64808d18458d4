#!/usr/bin/env bash
# Fails when the module holds functions nothing runs.
# Usage: check-deadcode.sh DEADCODE-BINARY (golang.org/x/tools/cmd/deadcode)
#
# Two runs:
#   1. from the commands' mains: everything a command ships is reached, so
#      no function lives only for its own tests;
#   2. from the mains and the tests (-test): nothing at all is dead.
# ALLOW below lists what run 1 may report and why; run 2 allows only the
# scanner entries. Each entry is an extended regexp over deadcode's lines
# ("path/file.go:line:col: unreachable func: Name").
set -euo pipefail
dc=${1:?usage: check-deadcode.sh DEADCODE-BINARY}

# Test support: packages and hooks whose callers are other packages' tests.
TEST_SUPPORT=(
  '^agent/agenttest/'                  # test doubles of the agent's ports
  '^cmd/platform-sim/sim/simtest/'     # serves the reference platform in a test
  '^devices/devsim/devsimtest/'        # starts the virtual devices in a test
  '^sync/api/apitest/'                 # validates traffic against sync/api/openapi.yaml
  '^ui/async/asynctest/'               # the UI tests' runner
  # The reference platform's in-process controls, used by the e2e, wiring
  # and packaging tests (the platform-sim command uses its HTTP admin API).
  '^cmd/platform-sim/sim/.*: unreachable func: (Server\.(Handler|SetFaults|PublicKey|UpsertProducts|SetRules|Rules|FrozenSN)|DemoProducts)$'
  # Script runner of the virtual devices, driven by the device tests
  # (the devsim command runs its scripts through Main).
  '^devices/devsim/script\.go:.*: unreachable func: Sim\.Run$'
  # Every translation key, for the tests that check both languages and the
  # font's coverage of every text.
  '^ui/i18n/i18n\.go:.*: unreachable func: Keys$'
)
# Not wired yet.
NOT_WIRED=(
  # The keyboard-wedge timing detector and the rest of the scanner driver
  # are being wired into the app; until then the scanner package is exempt.
  '^devices/scanner/'
  # Image decoding (QR and barcodes from a photo or file) has no screen yet.
  '^devices/imagescan/'
  # The app wraps the outbox with its own kicking store; outbox.KickingStore
  # and that wrapper are to become one.
  '^sync/outbox/notify\.go:.*: unreachable func: KickingStore\.'
)

filter() { # drops lines matching any of the given patterns
  local pat
  pat=$(printf '%s|' "$@"); pat=${pat%|}
  grep -Ev "$pat" || true
}

fail=0
out=$("$dc" ./... | filter "${TEST_SUPPORT[@]}" "${NOT_WIRED[@]}")
if [ -n "$out" ]; then
  echo "deadcode: unreachable from the commands (wire it, delete it, or move it into a test):"
  echo "$out"
  fail=1
fi
out=$("$dc" -test ./... | filter '^devices/scanner/' '^sync/outbox/notify\.go:.*: unreachable func: KickingStore\.')
if [ -n "$out" ]; then
  echo "deadcode -test: unreachable even from the tests (delete it):"
  echo "$out"
  fail=1
fi
exit $fail
