#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# dev.sh: set up, build, run and test Socklens on Debian 12.
#
#   ./dev.sh run [ARGS...]   install what is missing, build ./build, start the app
#   ./dev.sh test            same set-up, then every test suite; last line "N passed, N failed"
#   ./dev.sh sanitize        ASan+UBSan build in ./build-asan and its tests
#   ./dev.sh fuzz [SECONDS]  libFuzzer targets (clang) in ./build-fuzz, SECONDS each (30)
#   ./dev.sh deps            only install the missing Debian packages
#   ./dev.sh build           only set up and build ./build
#
# Environment: CI=true makes a skipped capture/lab/privileged test a failure.

set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$ROOT"

PACKAGES=(
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libpcap-dev libjson-glib-dev
  gettext locales xvfb xauth x11-apps xdotool imagemagick fonts-noto-cjk
  tshark tcpdump strace iproute2 nftables
  desktop-file-utils appstream-util poppler-utils
  clang libclang-rt-14-dev libseccomp-dev util-linux libcap2-bin python3
)

# A skip in one of these tests hides untested code: CI must not accept it.
CI_NO_SKIP_REGEX='capture|lab|privileged'

log () { printf '==> %s\n' "$*" >&2; }
die () { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

# --- packages -----------------------------------------------------------------

missing_packages () {
  local p status
  for p in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    if [ "$status" != "install ok installed" ]; then
      printf '%s\n' "$p"
    fi
  done
}

ensure_deps () {
  command -v dpkg-query >/dev/null || die "dpkg-query not found: this script expects Debian 12"
  local missing
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    ensure_locale
    return 0
  fi

  can_be_root "install as root: apt-get install ${missing[*]}"
  log "installing missing packages: ${missing[*]}"
  # tshark asks whether non-root users may capture: answer it up front.
  echo 'wireshark-common wireshark-common/install-setuid boolean false' \
    | as_root debconf-set-selections
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  ensure_locale
}

# as_root CMD...: CMD as root, through sudo when this is not root.
as_root () {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

# can_be_root HINT: dies with HINT when neither root nor sudo is available.
can_be_root () {
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    die "not root and no sudo: $1"
  fi
}

# The Traditional Chinese session (po/zh_TW.po) needs its locale generated:
# `LANG=zh_TW.UTF-8 socklens` and the zh_TW tests depend on it.
ensure_locale () {
  if locale -a 2>/dev/null | grep -qix 'zh_TW\.utf-\?8'; then
    return 0
  fi
  can_be_root "generate zh_TW.UTF-8 as root (locale-gen)"
  log "generating the zh_TW.UTF-8 locale"
  if grep -q '^# *zh_TW.UTF-8 UTF-8' /etc/locale.gen; then
    as_root sed -i 's/^# *\(zh_TW.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  elif ! grep -q '^zh_TW.UTF-8 UTF-8' /etc/locale.gen; then
    echo 'zh_TW.UTF-8 UTF-8' | as_root tee -a /etc/locale.gen >/dev/null
  fi
  as_root locale-gen
}

# --- building -----------------------------------------------------------------

# setup_builddir DIR [MESON SETUP OPTIONS...]
# Runs meson setup once; afterwards ninja re-runs meson by itself when a
# meson.build changes. A directory left half-made by a failed setup is redone.
setup_builddir () {
  local dir="$1"; shift
  if [ -f "$dir/build.ninja" ]; then
    return 0
  fi
  if [ -d "$dir/meson-private" ]; then
    log "meson setup --wipe $dir $*"
    meson setup --wipe "$dir" "$@"
  else
    log "meson setup $dir $*"
    meson setup "$dir" "$@"
  fi
}

# Explicit returns: callers use "if ! build ...", where set -e does not apply.
build () {
  local dir="$1"; shift
  setup_builddir "$dir" "$@" || return 1
  log "meson compile -C $dir"
  meson compile -C "$dir" || return 1
}

# --- tests --------------------------------------------------------------------

count_args () {
  if [ "${CI:-}" = "true" ]; then
    printf '%s\n' --fail-skips-matching "$CI_NO_SKIP_REGEX"
  fi
}

# run_meson_tests BUILDDIR: meson test, then the per-case count as the last line.
run_meson_tests () {
  local dir="$1" rc=0
  # Stale results must not be counted if this run fails before testing.
  rm -f "$dir/meson-logs/testlog.json"

  # Tests that need a display start their own Xvfb (see tests/meson.build).
  log "meson test -C $dir --print-errorlogs"
  meson test -C "$dir" --print-errorlogs || rc=$?

  local extra=()
  mapfile -t extra < <(count_args)
  if [ ! -f "$dir/meson-logs/testlog.json" ]; then
    echo "meson test did not run (exit status $rc)"
    echo "0 passed, 1 failed"
    return 1
  fi
  if grep -qs 'LeakSanitizer: detected memory leaks' "$dir/meson-logs/testlog.txt"; then
    echo "hint: system libraries lack frame pointers, so a leak's stack may stop at g_malloc;"
    echo "      to see the allocating line, rerun that test with the slow unwinder:"
    echo "      ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 meson test -C $dir NAME"
  fi
  python3 "$ROOT/scripts/count-tests.py" "${extra[@]}" "$dir/meson-logs/testlog.json" || rc=1
  return "$rc"
}

# --- commands -----------------------------------------------------------------

cmd_run () {
  ensure_deps
  build build
  exec ./build/app/socklens "$@"
}

cmd_test () {
  ensure_deps
  rm -f build/meson-logs/testlog.json
  if ! build build; then
    echo "build failed"
    echo "0 passed, 1 failed"
    return 1
  fi
  run_meson_tests build
}

cmd_sanitize () {
  ensure_deps
  rm -f build-asan/meson-logs/testlog.json
  if ! build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
    echo "sanitizer build failed"
    echo "0 passed, 1 failed"
    return 1
  fi
  export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp"
  export ASAN_OPTIONS="detect_leaks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  # GSlice hides allocations from ASan (GLib 2.74 still has it).
  export G_SLICE="always-malloc"
  # Mesa's GL driver leaks from a library it unloads before exit, so the leak
  # has no module name to suppress: keep GL out of the sanitizer run (the
  # normal test run still uses it).
  export GDK_DEBUG="gl-disable"
  export GSK_RENDERER="cairo"
  run_meson_tests build-asan
}

ensure_fuzzing_option () {
  if ! grep -qs "option('fuzzing'" meson_options.txt; then
    die "meson_options.txt has no 'fuzzing' option yet"
  fi
}

# The fuzz summary for .ci/run: build-fuzz/fuzz-summary.txt has "ran N", "crashed N"
# and "crashed-names NAME...".
cmd_fuzz () {
  local seconds="${1:-30}"
  case "$seconds" in
    ''|*[!0-9]*) die "fuzz: SECONDS must be a number, not '$seconds'" ;;
  esac
  ensure_deps
  ensure_fuzzing_option
  rm -f build-fuzz/fuzz-summary.txt
  if ! CC=clang build build-fuzz -Dfuzzing=true -Db_lundef=false; then
    echo "fuzz: the build-fuzz build failed"
    return 1
  fi

  local exe name short seeds corpus ran=0 crashed=0 rc
  local crashed_names=()
  # A leak is a finding: LeakSanitizer stays on, and only the system's
  # font and drawing libraries (the painter's pango/fontconfig caches) are
  # suppressed, as in the sanitizer build; never GLib or the project.
  export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp"
  export ASAN_OPTIONS="detect_leaks=1"
  export G_SLICE="always-malloc"
  mkdir -p build-fuzz/fuzz-artifacts
  shopt -s nullglob
  for exe in build-fuzz/tests/fuzz/fuzz-*; do
    [ -f "$exe" ] && [ -x "$exe" ] || continue
    name="$(basename "$exe")"
    short="${name#fuzz-}"
    # Inputs found are kept in tests/fuzz/corpus-NAME/ (git-ignored);
    # the seeds in tests/fuzz/seeds-NAME/ are only read.
    corpus="tests/fuzz/corpus-$short"
    mkdir -p "$corpus"
    seeds=()
    for d in "tests/fuzz/seeds-$short" "tests/fuzz/seeds-$name"; do
      [ -d "$d" ] && seeds+=("$d")
    done
    log "fuzzing $name for ${seconds}s (corpus $corpus${seeds:+, seeds ${seeds[*]}})"
    rc=0
    "$exe" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="build-fuzz/fuzz-artifacts/$name-" \
      "$corpus" "${seeds[@]}" || rc=$?
    ran=$((ran + 1))
    if [ "$rc" -ne 0 ]; then
      crashed=$((crashed + 1))
      crashed_names+=("$name")
    fi
  done
  shopt -u nullglob

  printf 'ran %d\ncrashed %d\ncrashed-names %s\n' "$ran" "$crashed" "${crashed_names[*]}" \
    > build-fuzz/fuzz-summary.txt
  if [ "$ran" -eq 0 ]; then
    echo "fuzz: no fuzz-* executables in build-fuzz/tests/fuzz/"
    return 0
  fi
  if [ "$crashed" -ne 0 ]; then
    echo "fuzz: crashed: ${crashed_names[*]} (inputs in build-fuzz/fuzz-artifacts/)"
  fi
  echo "fuzz: $ran targets, $crashed crashed"
  [ "$crashed" -eq 0 ]
}

usage () {
  # The header comment, from its third line to the first line that is not one.
  awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$ROOT/dev.sh"
}

main () {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    run)       cmd_run "$@" ;;
    test)      cmd_test "$@" ;;
    sanitize)  cmd_sanitize "$@" ;;
    fuzz)      cmd_fuzz "$@" ;;
    deps)      ensure_deps ;;
    build)     ensure_deps; build build ;;
    -h|--help|help) usage ;;
    *)         usage >&2; exit 2 ;;
  esac
}

main "$@"
