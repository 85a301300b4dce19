#!/usr/bin/env bash
# `make windows-test`: the app's unit tests built for Windows (x86_64-pc-windows-gnu) with
# Debian's rustc-web, which builds the standard library from rust-web-src (-Zbuild-std), linked
# by mingw-w64, and run under Wine. Wine 8 lacks bcryptprimitives.dll, whose ProcessPrng Rust's
# standard library calls: a test-only stand-in (scripts/windows/process-prng.c) goes beside the
# test binary, never into a package.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh windows

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
# Debian's toolchain, not rustup's: it carries the standard library's source.
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
built=$(/usr/bin/cargo test -Zbuild-std --target x86_64-pc-windows-gnu --lib --no-run 2>&1 | tee /dev/stderr)
test_exe=$(printf '%s\n' "$built" | sed -n 's/.*Executable unittests .*(\(.*\.exe\)).*/\1/p' | tail -n 1)
[[ -n "$test_exe" ]] || { echo "no Windows test binary was built" >&2; exit 1; }

x86_64-w64-mingw32-gcc -shared -O2 -o "$(dirname "$test_exe")/bcryptprimitives.dll" scripts/windows/process-prng.c -lbcrypt
# A gnu build links WebView2Loader.dll dynamically (webview2-com-sys puts it in the profile folder).
cp "$target_dir/x86_64-pc-windows-gnu/debug/WebView2Loader.dll" "$(dirname "$test_exe")/"
export WINEPREFIX="$target_dir/wineprefix" WINEDEBUG=-all
echo "Running the Windows unit tests under Wine: $test_exe"
cd "$(dirname "$test_exe")"
/usr/lib/wine/wine64 "./$(basename "$test_exe")"
