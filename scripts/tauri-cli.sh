#!/usr/bin/env bash
# The Tauri CLI from the npm registry (its prebuilt binary: no cargo install), one version for
# `make bundle`, the update signatures of `make windows` and the update keys the tests make.
# Installs it under target/ when missing; prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
cli="${CARGO_TARGET_DIR:-$PWD/target}/tauri-cli"
cli_version=2.12.5
if [[ ! -x "$cli/node_modules/.bin/tauri" ]] || ! grep -q "\"version\": \"$cli_version\"" "$cli/node_modules/@tauri-apps/cli/package.json"; then
  npm install --prefix "$cli" --no-save --no-audit --no-fund --loglevel=error "@tauri-apps/cli@$cli_version" >&2
fi
echo "$cli/node_modules/.bin/tauri"
