#!/usr/bin/env bash
# `make test`: every test, on a private desktop (scripts/with-desktop.sh), then the Windows
# tests under Wine (scripts/windows-test.sh) and the release hygiene (scripts/deny.sh).
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh --test window`) and run only those.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
# The house style and lints first: they fail in seconds, before any test runs.
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --features certopay-keys/webdriver -- -D warnings
# Known vulnerabilities, licences, bans and sources, offline: seconds.
scripts/deny.sh
# Build first, so a slow compile never looks like a hung test. The webdriver feature lets the
# tests drive the window; no package is ever built with it.
cargo build --workspace --tests --bins --features certopay-keys/webdriver
# axe-core, from the npm registry by name, for the accessibility checks of the window tests.
axe_dir="${CARGO_TARGET_DIR:-$PWD/target}/axe"
axe_version=4.14.1
if [[ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]] || ! grep -q "\"version\": \"$axe_version\"" "$axe_dir/node_modules/axe-core/package.json"; then
  npm install --prefix "$axe_dir" --no-save --no-audit --no-fund --loglevel=error "axe-core@$axe_version"
fi
export CERTOPAY_AXE_JS="$axe_dir/node_modules/axe-core/axe.min.js"
export CERTOPAY_SCREENSHOTS="${CERTOPAY_SCREENSHOTS:-$PWD/screenshots}"
mkdir -p "$CERTOPAY_SCREENSHOTS"
echo "Screenshots go to $CERTOPAY_SCREENSHOTS"
scripts/with-desktop.sh cargo test --workspace --features certopay-keys/webdriver "$@"
if [[ $# -eq 0 ]]; then
  scripts/windows-test.sh
fi
