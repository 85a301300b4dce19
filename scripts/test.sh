#!/usr/bin/env bash
# `make test`: every test, on a private desktop (scripts/with-desktop.sh), the Windows tests
# under Wine beside them (scripts/windows-test.sh, on a desktop of their own) and the release
# hygiene (scripts/deny.sh).
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh --test window`) and run only those.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each phase's time, printed at the end: where a run's minutes go.
phase_times=()
phase_started=$SECONDS
phase_done() {
  phase_times+=("$1: $((SECONDS - phase_started)) s")
  phase_started=$SECONDS
}

# Everything a full run needs, in one apt run.
if [[ $# -eq 0 ]]; then
  scripts/install-deps.sh test windows
else
  scripts/install-deps.sh test
fi
phase_done "system packages"
windows_build=""
if [[ $# -eq 0 ]]; then
  # The Windows part (its standard library, the test binaries, the installer, then the tests
  # under Wine on a private desktop of their own) starts at once, at the lowest priority: it
  # takes what the lints and the Linux build leave idle (their serial stretches, their links)
  # and the Linux tests, which mostly wait on windows, servers and timers. In its own target
  # folder under target/, so neither waits for the other's lock.
  windows_log=$(mktemp)
  # Its own session gets its own scheduling autogroup, which the kernel shares fairly with the
  # others whatever the nice value inside: the autogroup itself is set to 19 as well.
  setsid sh -c 'echo 19 >/proc/self/autogroup 2>/dev/null; exec nice -n 19 scripts/windows-test.sh all' >"$windows_log" 2>&1 &
  windows_build=$!
  # Its own process group (setsid), so that a failure here stops its compilers too.
  trap 'kill -- -"$windows_build" 2>/dev/null || true; rm -f "$windows_log"' EXIT
fi
# The house style and lints first: they fail in seconds, before any test runs.
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --features certopay-keys/webdriver -- -D warnings
# make soak's build: its faster clock is code no other build compiles.
cargo clippy --lib --features fast-clock -- -D warnings
# Known vulnerabilities, licences, bans and sources, offline: seconds.
scripts/deny.sh
phase_done "format, lints, cargo deny"
# Build first, so a slow compile never looks like a hung test. The webdriver feature lets the
# tests drive the window; no package is ever built with it.
# With the Windows part: the installer's native check too, so its run does not wait to link it.
windows_installer_check=()
[[ -n "$windows_build" ]] && windows_installer_check=(--test windows_installer)
cargo build --workspace --tests --bins --features certopay-keys/webdriver "${windows_installer_check[@]}"
phase_done "Linux build"
# axe-core, from the npm registry by name, for the accessibility checks of the window tests.
axe_dir="${CARGO_TARGET_DIR:-$PWD/target}/axe"
axe_version=4.14.1
if [[ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]] || ! grep -q "\"version\": \"$axe_version\"" "$axe_dir/node_modules/axe-core/package.json"; then
  npm install --prefix "$axe_dir" --no-save --no-audit --no-fund --loglevel=error "axe-core@$axe_version"
fi
export CERTOPAY_AXE_JS="$axe_dir/node_modules/axe-core/axe.min.js"
# The Tauri CLI, whose signer makes the update keys and signatures the update tests use.
CERTOPAY_TAURI_CLI=$(scripts/tauri-cli.sh)
export CERTOPAY_TAURI_CLI
export CERTOPAY_SCREENSHOTS="${CERTOPAY_SCREENSHOTS:-$PWD/screenshots}"
mkdir -p "$CERTOPAY_SCREENSHOTS"
echo "Screenshots go to $CERTOPAY_SCREENSHOTS"
phase_done "axe-core, Tauri CLI"

scripts/with-desktop.sh cargo test --workspace --features certopay-keys/webdriver "$@"
phase_done "Linux tests (the window's included)"
if [[ -n "$windows_build" ]]; then
  echo "Waiting for the Windows build and its tests under Wine"
  if ! wait "$windows_build"; then
    cat "$windows_log" >&2
    echo "the Windows build or its tests failed" >&2
    exit 1
  fi
  # What the Wine run said: its test results and the installer's checks.
  grep -E '^(test result|installer|update|Windows)' "$windows_log"
  phase_done "waiting for the Windows part (built and tested beside the Linux phases)"
fi
echo
echo "Phases of this run (${SECONDS} s in all):"
printf '  %s\n' "${phase_times[@]}"
