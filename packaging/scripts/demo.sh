#!/usr/bin/env bash
# Started by `make demo`: the reference platform, the virtual devices and the
# app, wired together with demo data. Rewritten as parts land.
set -euo pipefail
echo "demo: nothing runnable yet" >&2
exit 1
