#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# screenshot.sh: the window as a person drives it, on a private Xvfb screen
# (no window manager: the window keeps the screen's size), photographed.
# How the README's screenshots are made.
#
#   scripts/screenshot.sh OUT.png WIDTHxHEIGHT SCENARIO "KEYS" [socklens ARGS...]
#
# KEYS are xdotool key names pressed in turn (F5 runs, space steps, ctrl+p
# presents), "sleep:N" waits N seconds, "click:X,Y" clicks, "type:WORD" types
# WORD (a scenario picker's search: "click:110,27 type:udp_server Return"). The scenario is
# the one the window opens with (its last-scenario setting, in a keyfile of
# a temporary home), on the timeline layout LAYOUT names (sequence, the
# default, or time). Needs xvfb, xdotool, imagemagick, and ./build.
#
#   scripts/screenshot.sh docs/screenshots/window.png 1280x800 tcp-echo "F5 sleep:8 Home"
#   scripts/screenshot.sh docs/screenshots/presentation.png 1920x1080 tcp-echo \
#     "space space space space space space space space" --presentation
set -euo pipefail

out=$1 size=$2 scenario=$3 keys=$4
shift 4
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

for d in $(seq 150 199); do
  [ -e "/tmp/.X11-unix/X$d" ] || [ -e "/tmp/.X$d-lock" ] || break
done
home=$(mktemp -d)
Xvfb ":$d" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
xpid=$!
cleanup () {
  if [ -n "${apid:-}" ]; then
    kill "$apid" 2>/dev/null || true
    sleep 0.5
    kill -9 "$apid" 2>/dev/null || true
  fi
  kill "$xpid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$home"
}
trap cleanup EXIT

# the scenario it opens, and the window filling the screen
mkdir -p "$home/.config/glib-2.0/settings"
cat >"$home/.config/glib-2.0/settings/keyfile" <<EOF
[org/socklens/Socklens]
last-scenario='$scenario'
timeline-layout='${LAYOUT:-sequence}'
window-width=${size%x*}
window-height=${size#*x}
EOF

# wait for the screen, then for the window
for _ in $(seq 50); do DISPLAY=":$d" xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.2; done
DISPLAY=":$d" GTK_A11Y=none HOME="$home" XDG_CACHE_HOME="$home/.cache" \
  XDG_CONFIG_HOME="$home/.config" GSETTINGS_BACKEND=keyfile \
  GSETTINGS_SCHEMA_DIR="$root/build/data" "$root/build/app/socklens" "$@" >"$home/app.log" 2>&1 &
apid=$!
for _ in $(seq 100); do
  DISPLAY=":$d" xdotool search --name Socklens >/dev/null 2>&1 && break
  sleep 0.2
done
sleep "${SETTLE:-3}"

for k in $keys; do
  case $k in
    sleep:*) sleep "${k#sleep:}" ;;
    click:*) xy=${k#click:}; DISPLAY=":$d" xdotool mousemove "${xy%,*}" "${xy#*,}" click 1; sleep 1 ;;
    type:*) DISPLAY=":$d" xdotool type --delay 80 "${k#type:}"; sleep 1 ;;
    *) DISPLAY=":$d" xdotool key "$k"; sleep "${KEY_WAIT:-1.5}" ;;
  esac
done
sleep "${END_WAIT:-2}"
DISPLAY=":$d" import -window root "$out"
echo "screenshot: $out"
