#!/usr/bin/env bash
# `make demo` (after `make build` put the binaries in bin/): the reference
# platform, the virtual scanner and printer, and the store terminal app,
# connected, enrolled and loaded with demo data. Ctrl-C stops everything.
#
# Everything lives in ./demo-data (delete it to start over):
#   platform.db        the reference platform's database
#   terminal/          the app's data directory (config.json, terminal.db, logs/ …)
#   devices/scanner    virtual scanner port (link to a pseudo-terminal)
#   devices/printer    virtual printer port
#   receipts/          what the virtual printer printed: receipt-NNNN.txt / .png
#   codes/             demo consumer QR codes as PNG
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/bin}
DEMO=${DEMO_DIR:-$ROOT/demo-data}
# Fyne reads the UI locale from LANG and cannot parse "C"/"C.UTF-8"; the
# app's language comes from its settings (zh), so give it a real locale.
APP_LANG=zh_CN.UTF-8

for b in platform-sim devsim tradein-terminal; do
  [ -x "$BIN/$b" ] || { echo "demo: $BIN/$b is missing; run 'make demo' (it builds first)" >&2; exit 1; }
done

mkdir -p "$DEMO"
# A terminal enrolled at a platform whose database is gone cannot sign in
# any more: start both afresh together.
[ -f "$DEMO/platform.db" ] || rm -rf "$DEMO/terminal"
mkdir -p "$DEMO/terminal" "$DEMO/devices" "$DEMO/receipts" "$DEMO/codes"

pids=()
xvfb_pid=""
stopping=0
cleanup() {
  [ "$stopping" = 1 ] && return
  stopping=1
  echo
  echo "demo: stopping…"
  # End devsim's command input (it exits at end of input once told to stop).
  exec 3>&-
  # Newest first: the app, then the devices, then the platform.
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    name=$(ps -o comm= -p "$pid" 2>/dev/null || true)
    kill -KILL "$pid" 2>/dev/null && echo "demo: $name (pid $pid) did not stop within 10 s; killed" >&2
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$xvfb_pid" ]; then kill -TERM "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; fi
  echo "demo: stopped. Data kept in $DEMO (delete it to start over)."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for FILE-OR-TEST DESCRIPTION: poll up to 15 s.
wait_for() {
  for _ in $(seq 150); do eval "$1" && return 0; sleep 0.1; done
  echo "demo: gave up waiting for $2" >&2
  return 1
}

# 1. The reference platform on a free loopback port.
"$BIN/platform-sim" -listen 127.0.0.1:0 -db "$DEMO/platform.db" >"$DEMO/platform.out" 2>"$DEMO/platform.log" &
pids+=($!)
wait_for '[ -s "$DEMO/platform.out" ]' "platform-sim to print its address (see $DEMO/platform.log)"
URL=$(head -1 "$DEMO/platform.out")

# 2. The virtual devices. devsim reads scan commands from a FIFO, so this
#    script (and you, in another shell) can scan by writing lines to it.
SCAN="$DEMO/scan"
rm -f "$SCAN"; mkfifo "$SCAN"
# Keep a writer open so devsim never sees end of input; only this shell
# holds it (children are started with 3>&-), so closing it at the end
# lets devsim finish.
exec 3<>"$SCAN"
"$BIN/devsim" -dir "$DEMO/devices" -out "$DEMO/receipts" <"$SCAN" >"$DEMO/devsim.out" 2>&1 3>&- &
pids+=($!)
wait_for '[ -e "$DEMO/devices/scanner" ] && [ -e "$DEMO/devices/printer" ]' "devsim's ports (see $DEMO/devsim.out)"

# 3. The app's settings: platform and device ports.
cat >"$DEMO/terminal/config.json" <<EOF
{
  "platform_url": "$URL",
  "verify_url_base": "https://verify.tradein.example/r/",
  "lang": "zh",
  "devices": {
    "scanner": {"mode": "serial", "port": "$DEMO/devices/scanner", "baud": 9600, "data_bits": 8,
                "parity": "none", "stop_bits": "1", "suffix": "CR", "idle_timeout": 0, "aim_prefix": false},
    "printer": {"port": "$DEMO/devices/printer", "baud": 9600, "columns": 48, "qr_mode": "native"}
  },
  "log_max_bytes": 5242880,
  "log_keep": 5
}
EOF

# 4. Enroll, create the demo staff, download rules and the product library.
LANG=$APP_LANG "$BIN/tradein-terminal" --data-dir "$DEMO/terminal" --enroll DEMO-ENROLL-0001 --seed-demo-staff --sync --setup-only

# 5. A display: the current one, or a virtual one.
if [ -z "${DISPLAY:-}" ]; then
  command -v Xvfb >/dev/null || { echo "demo: no \$DISPLAY and no Xvfb (apt-get install xvfb)" >&2; exit 1; }
  export DISPLAY=:99
  Xvfb :99 -screen 0 1280x800x24 -nolisten tcp >"$DEMO/xvfb.log" 2>&1 3>&- &
  xvfb_pid=$!
  wait_for 'xdpyinfo -display :99 >/dev/null 2>&1 || [ -e /tmp/.X11-unix/X99 ]' "Xvfb on :99"
  VIRTUAL=1
fi

# 6. The app.
LANG=$APP_LANG "$BIN/tradein-terminal" --data-dir "$DEMO/terminal" >"$DEMO/app.out" 2>&1 3>&- &
pids+=($!)
APP=$!

code=$("$BIN/platform-sim" democode -db "$DEMO/platform.db" -cat phone -n 1 -png "$DEMO/codes" 2>"$DEMO/codes/last.txt")
qr=$(sed -n 's/^wrote \([^ ]*\) .*/\1/p' "$DEMO/codes/last.txt")
cat <<EOF

================ 以旧换新门店终端 demo is running ================
platform   $URL   (log: $DEMO/platform.log)
app        pid $APP on display $DISPLAY   (log: $DEMO/terminal/logs/terminal.log)
scanner    $(readlink "$DEMO/devices/scanner")  (via $DEMO/devices/scanner)
printer    $(readlink "$DEMO/devices/printer")  (via $DEMO/devices/printer)
receipts   $DEMO/receipts/receipt-NNNN.txt and .png

Log in with 1001 / PIN 1234 (店员), 2001 / 2345 (回收员), 3001 / 3456 (店长), 9001 / 9999 (运维).

A sale, scanning through the virtual scanner (type the lines below here and press Enter,
or from another shell: echo LINE > $SCAN):
  1. consumer code   $code
     (the same code as a QR image: $qr)
     (more: $BIN/platform-sim democode -db $DEMO/platform.db -cat phone -n 1 -png $DEMO/codes)
  2. product         6934177393365      (小米 15, phone; SN required)
  3. serial number   SNDEMO$(date +%H%M%S)
  then type the price (e.g. 3999) and the payment reference in the window; the receipt
  appears in $DEMO/receipts/.
Other barcodes: 6901018526015 (海尔 冰箱, grade 1), 6921165993515 (海信 电视),
  6970000001014 (智能眼镜, new in 2026), 6970000001021 (智能门锁, the EXAMPLE local smart-home set),
  6924802721595 (洗碗机: no longer subsidised since 2026-01-01).
Printer trouble: type  :paper out  /  :paper ok  /  :cover open  here.

Rules: the platform serves the 2025 and 2026 national rule sets (CN-2025, CN-2026) and an
EXAMPLE local smart-home set for Beijing; the status bar shows the set in force.
Pause a category (funds used up) and resume it; the terminal shows it after its next rules
refresh (or at once on the next online sale) and refuses offline sales in it:
  pause:   curl -s -X POST $URL/admin/pause  -H 'Content-Type: application/json' -d '{"rule_set_id":"CN-2026","category":"fridge","message":"本区冰箱补贴资金已用完"}'
  resume:  curl -s -X POST $URL/admin/resume -H 'Content-Type: application/json' -d '{"rule_set_id":"CN-2026","category":"fridge"}'
  (leave out "category" to pause or resume the whole set: CAMPAIGN_CLOSED)
EOF
if [ "${VIRTUAL:-0}" = 1 ]; then
  cat <<EOF
No display was set, so the app runs on a virtual one (Xvfb :99). To see it:
  screenshot:  DISPLAY=:99 import -window root /tmp/tradein-demo.png
  live:        x11vnc -display :99 -localhost   (then a VNC viewer on localhost:5900)
EOF
fi
echo "Ctrl-C stops everything."
echo

# Forward what is typed here to the virtual scanner; without a terminal on
# stdin (CI, nohup) just wait for the app.
if [ -t 0 ]; then
  while kill -0 "$APP" 2>/dev/null; do
    if read -r -t 1 line; then
      [ -n "$line" ] && printf '%s\n' "$line" >&3
    fi
  done
else
  wait "$APP" || true
fi
echo "demo: the app has stopped (its output: $DEMO/app.out)."
