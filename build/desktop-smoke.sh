#!/usr/bin/env bash
# Desktop smoke test: runs the window binary under a virtual X server, checks that the sandbox answers on
# its TCP port while the window is open, and saves a screenshot of the window for people to look at.
set -euo pipefail
bin=${1:?usage: desktop-smoke.sh PATH-TO-valet-desktop}
out=${SMOKE_ARTIFACTS:-.e2e-artifacts}
for tool in xvfb-run import curl; do
  command -v "$tool" >/dev/null || { echo "desktop-smoke: $tool is missing: apt-get install -y xvfb xauth imagemagick curl"; exit 1; }
done
mkdir -p "$out"
data=$(mktemp -d)
log="$out/desktop.log"
trap 'rm -rf "$data"' EXIT

# Everything runs inside one xvfb-run so the screenshot sees the window's display. Bounded: 60 s.
timeout 90 xvfb-run -a -s "-screen 0 1400x900x24" bash -c '
  set -euo pipefail
  "$1" --addr 127.0.0.1:0 --data "$2" >"$3" 2>&1 &
  pid=$!
  trap "kill $pid 2>/dev/null || true" EXIT
  base=""
  for _ in $(seq 1 120); do
    base=$(sed -n "s#^  Control panel:  \(http://[^ ]*\)/\$#\1#p" "$3")
    [ -n "$base" ] && break
    kill -0 $pid 2>/dev/null || { echo "desktop-smoke: the window binary exited early:"; cat "$3"; exit 1; }
    sleep 0.5
  done
  [ -n "$base" ] || { echo "desktop-smoke: no Control panel line within 60 s:"; cat "$3"; exit 1; }
  status=$(curl -fsS --max-time 5 "$base/api/status")
  echo "$status" | grep -q "\"fhir_base_url\":\"$base/fhir\"" || { echo "desktop-smoke: unexpected /api/status: $status"; exit 1; }
  sleep 4 # let the window render the Dashboard
  import -window root "$4"
  kill $pid; wait $pid || true
' _ "$bin" "$data" "$log" "$out/desktop.png"

# A blank screen has one or two colours; the rendered control panel has many.
colours=$(convert "$out/desktop.png" -format %k info:)
if [ "$colours" -lt 50 ]; then
  echo "desktop-smoke: the screenshot has $colours colours: the window did not render (see $out/desktop.png, $log)"
  exit 1
fi
echo "desktop-smoke: ok — the sandbox answered while the window was open; screenshot $out/desktop.png ($colours colours)"
