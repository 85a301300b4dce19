#!/usr/bin/env bash
# `make test`: every test, on a private desktop (scripts/with-desktop.sh).
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh --test window`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
# The house style and lints first: they fail in seconds, before any test runs.
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --features certopay-keys/webdriver -- -D warnings
# Build first, so a slow compile never looks like a hung test. The webdriver feature lets the
# tests drive the window; no package is ever built with it.
cargo build --workspace --tests --bins --features certopay-keys/webdriver
export CERTOPAY_SCREENSHOTS="${CERTOPAY_SCREENSHOTS:-$PWD/screenshots}"
mkdir -p "$CERTOPAY_SCREENSHOTS"
echo "Screenshots go to $CERTOPAY_SCREENSHOTS"
exec scripts/with-desktop.sh cargo test --workspace --features certopay-keys/webdriver "$@"
