#!/usr/bin/env bash
# The Windows tests (make test runs them; `make windows-test` runs them alone): the app's unit
# tests and the app tier's tests/app/app_state.rs built for Windows (x86_64-pc-windows-gnu,
# scripts/windows-env.sh) and run under Wine, their sandboxes running natively
# (`certopay-sandbox --host`); the unit test of the language again with Wine in Portuguese;
# then the installer, silently installed and uninstalled in a private prefix
# (tests/windows_installer.rs).
# Usage: scripts/windows-test.sh [build|run]: `build` compiles everything, `run` runs what was
# built, neither does both; with no argument, both (make test runs that beside the Linux tests).
# Wine 8 lacks bcryptprimitives.dll, whose ProcessPrng Rust's standard library calls: a
# test-only stand-in (scripts/windows/process-prng.c) goes beside the test binaries, never into
# a package. Wine needs a display for windows (the session watch's hidden one, the clipboard's):
# without one, `run` runs itself on a private desktop.
set -euo pipefail
cd "$(dirname "$0")/.."
phase=${1:-all}
case "$phase" in
  build | run | all) ;;
  *) echo "usage: $0 [build|run]" >&2; exit 2 ;;
esac
if [[ "$phase" != build && -z "${DISPLAY:-}" ]]; then
  exec scripts/with-desktop.sh "$0" "$@"
fi
scripts/install-deps.sh windows
source scripts/windows-env.sh
# Native builds take make test's own flags, so nothing already built is built again.
native_flags=(--workspace --features certopay-keys/webdriver)
# What the build leaves for the run: the test binaries' paths and the installer's.
built_list="$windows_build_dir/windows-tests.txt"
# The test's code-signing authority and publisher (scripts/windows/test-signing.sh).
signing_dir="$windows_build_dir/test-signing"

build() {
  local built unit_exe app_exe tests_dir installer
  built=$(windows_cargo test -Zbuild-std --target "$windows_target" --lib --test app --no-run 2>&1 | tee >(cat >&2))
  unit_exe=$(sed -n 's/.*Executable unittests .*(\(.*\.exe\)).*/\1/p' <<<"$built" | tail -n 1)
  app_exe=$(sed -n 's/.*Executable tests\/app\/main.rs (\(.*\.exe\)).*/\1/p' <<<"$built" | tail -n 1)
  [[ -n "$unit_exe" && -n "$app_exe" ]] || { echo "the Windows test binaries were not built" >&2; exit 1; }
  tests_dir=$(dirname "$unit_exe")
  x86_64-w64-mingw32-gcc -shared -O2 -o "$tests_dir/bcryptprimitives.dll" scripts/windows/process-prng.c -lbcrypt
  cp "$windows_build_dir/$windows_target/debug/WebView2Loader.dll" "$tests_dir/"
  # The installer packs the app the test build just made (before the window tests' build
  # remakes it with their feature), all signed with certificates made for this run.
  scripts/windows/test-signing.sh "$signing_dir"
  # And the updater's key pair, with another to be refused, made by the Tauri CLI's signer.
  local tauri
  tauri=$(scripts/tauri-cli.sh)
  for key in updater other-updater; do
    "$tauri" signer generate --ci --password "" --force --write-keys "$signing_dir/$key.key" >/dev/null
  done
  installer=$(WINDOWS_SIGN_CERT="$signing_dir/chain.pem" WINDOWS_SIGN_KEY="$signing_dir/signer.key" \
    TAURI_SIGNING_PRIVATE_KEY="$(cat "$signing_dir/updater.key")" TAURI_SIGNING_PRIVATE_KEY_PASSWORD="" \
    scripts/windows-package.sh debug | tail -n 1)
  # The native parts of the run: the sandbox host and the installer's check (make test's Linux
  # build has usually made both already).
  cargo build -q "${native_flags[@]}" --bin certopay-sandbox
  cargo test -q "${native_flags[@]}" --test windows_installer --no-run
  printf '%s\n' "$unit_exe" "$app_exe" "$installer" >"$built_list"
}

# The window tests, built for Windows too (their tauri-driver launcher is Windows code); they
# run on the workflow's Windows runner, since Wine has no WebView2.
build_window_tests() {
  windows_cargo test -Zbuild-std --target "$windows_target" --features webdriver --test window --no-run
}

run() {
  local unit_exe app_exe installer tests_dir
  [[ -f "$built_list" ]] || { echo "nothing built: run $0 build first" >&2; exit 1; }
  { read -r unit_exe; read -r app_exe; read -r installer; } <"$built_list"
  tests_dir=$(dirname "$unit_exe")
  scratch=$(mktemp -d)
  host_pid=""
  cleanup() {
    [[ -n "$host_pid" ]] && kill "$host_pid" 2>/dev/null || true
    rm -rf "$scratch"
  }
  trap cleanup EXIT
  # The native sandbox host; its first line says where it listens.
  mkfifo "$scratch/host"
  "$target_dir/debug/certopay-sandbox" --host >"$scratch/host" &
  host_pid=$!
  read -r host_line <"$scratch/host"
  export CERTOPAY_SANDBOX_HOST=${host_line#CERTOPAY_SANDBOX_HOST=}

  export WINEPREFIX="$target_dir/wineprefix" WINEDEBUG=-all
  # Runs a test binary under Wine from its own folder (where the DLLs are), keeping its output.
  under_wine() {
    local log=$1
    shift
    (cd "$tests_dir" && timeout 900 "$wine" "$@") 2>&1 | tee "$scratch/$log"
    return "${PIPESTATUS[0]}"
  }
  echo "Windows tests under Wine (sandboxes from $CERTOPAY_SANDBOX_HOST)"
  LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 under_wine unit "./$(basename "$unit_exe")"
  LANG=pt_BR.UTF-8 LC_ALL=pt_BR.UTF-8 CERTOPAY_EXPECTED_LANGUAGE=pt-BR \
    under_wine portuguese "./$(basename "$unit_exe")" --exact platform::system_language::tests::windows_reports_the_users_language
  # The app tier's AppState tests (the others need SSH, Squid or the mock runtime's D-Bus).
  LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8 under_wine app_state "./$(basename "$app_exe")" app_state::

  passed() { sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' "$scratch/$1" | tail -n 1; }
  local unit portuguese app_state
  unit=$(passed unit) portuguese=$(passed portuguese) app_state=$(passed app_state)
  [[ "$portuguese" == 1 ]] || { echo "the Portuguese run of the language test did not run it" >&2; exit 1; }
  # A filter that matched nothing would pass having run nothing.
  [[ "${app_state:-0}" -ge 14 ]] || { echo "the app tier's app_state tests did not run under Wine (${app_state:-0} passed)" >&2; exit 1; }

  CERTOPAY_SIGNING_DIR="$signing_dir" cargo test -q "${native_flags[@]}" --test windows_installer -- "$installer" "$target_dir/windows/debug/certopay-keys.exe" "$tests_dir/bcryptprimitives.dll"

  echo "Windows tests under Wine: $((unit + portuguese + app_state)) passed (unit $unit, unit in Portuguese $portuguese, app_state $app_state), and the installer's checks"
}

case "$phase" in
  build)
    build
    build_window_tests
    ;;
  run) run ;;
  # Not `build && run`: set -e does not reach inside a function called in a list.
  all)
    build
    built_after=$SECONDS
    # The run needs none of the window tests' build: it compiles beside the run.
    window_tests_log="$windows_build_dir/window-tests-build.log"
    build_window_tests >"$window_tests_log" 2>&1 &
    window_tests_build=$!
    run
    ran_after=$SECONDS
    if ! wait "$window_tests_build"; then
      cat "$window_tests_log" >&2
      echo "the window tests did not build for Windows" >&2
      exit 1
    fi
    # make test prints the lines that start with "Windows".
    echo "Windows phases: build and installer $built_after s, tests under Wine $((ran_after - built_after)) s, window tests' build done $((SECONDS - ran_after)) s after"
    ;;
esac
