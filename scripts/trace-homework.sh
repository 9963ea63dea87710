#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# scripts/trace-homework.sh [BUILD] [OUT]: runs every case of
# tests/trace/homework/CASES three ways, for comparing by eye:
#   OUT/NAME.txt     socklens trace (calls with FILE:LINE, packets, consoles)
#   OUT/NAME.pcapng  the same run saved; OUT/NAME.tshark its packets by tshark
#   OUT/NAME.strace  strace -f -e trace=network,... of the same programs in a
#                    network namespace of their own (unshare -rn), started the
#                    same way (the next one once the one before waits)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$(cd "${1:-$ROOT/build}" && pwd)"
OUT="${2:-$(mktemp -d /tmp/socklens-homework-XXXXXX)}"
DIR="$ROOT/tests/trace/homework"
mkdir -p "$OUT"
cd "$DIR"
grep -v '^#' CASES | while read -r name programs; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086
  timeout 120 "$BUILD/app/socklens" trace --timeout 30 $programs \
    --output "$OUT/$name.pcapng" >"$OUT/$name.txt" 2>&1 </dev/null || true
  tshark -r "$OUT/$name.pcapng" >"$OUT/$name.tshark" 2>&1 || true
  # the same programs under strace: each started, the next after a moment
  script="ip link set lo up;"
  for p in $programs; do script="$script python3 $p </dev/null & sleep 0.3;"; done
  timeout 60 unshare -rn strace -f -qq -e trace=network,epoll_ctl,epoll_wait,sendfile \
    -o "$OUT/$name.strace" bash -c "$script wait" >/dev/null 2>&1 </dev/null || true
  printf '%-12s %5d lines traced, %5d strace lines, %4d packets\n' "$name" \
    "$(wc -l <"$OUT/$name.txt")" "$(wc -l <"$OUT/$name.strace" 2>/dev/null || echo 0)" \
    "$(wc -l <"$OUT/$name.tshark")"
done
echo "output in $OUT"
