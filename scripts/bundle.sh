#!/usr/bin/env bash
# `make bundle`: the .deb and .rpm, with the Tauri CLI from the npm registry (its prebuilt
# binary: no cargo install), then the .deb checked as a person would use it: what it
# installs, its window from the installed binary, and that it cannot be driven by WebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh bundle
target="${CARGO_TARGET_DIR:-$PWD/target}"
"$(scripts/tauri-cli.sh)" build

deb=$(ls -t "$target"/release/bundle/deb/*.deb | head -n 1)
rpm=$(ls -t "$target"/release/bundle/rpm/*.rpm | head -n 1)
echo "Built: $deb ($(du -h "$deb" | cut -f1)), $rpm ($(du -h "$rpm" | cut -f1))"

# What the .deb installs: the binary, the menu entry (with its Portuguese comment), the icons.
contents=$(dpkg --contents "$deb")
for path in usr/bin/certopay-keys "usr/share/applications/CertoPay Keys.desktop" \
  usr/share/icons/hicolor/{32x32,64x64,128x128,256x256,512x512}/apps/certopay-keys.png; do
  grep -qF "$path" <<<"$contents" || { echo "The .deb lacks $path" >&2; exit 1; }
done
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg -x "$deb" "$root"
grep -q '^Comment\[pt_BR\]=' "$root/usr/share/applications/CertoPay Keys.desktop" \
  || { echo "The menu entry has no Portuguese comment" >&2; exit 1; }
echo "The .deb installs the binary, the menu entry (English and Portuguese) and icons at 32 to 512 px."

# The installed binary, as a person starts it; and WebDriver refused.
cargo build --tests --features webdriver --test package
export CERTOPAY_PACKAGE_ROOT="$root"
export CERTOPAY_SCREENSHOTS="${CERTOPAY_SCREENSHOTS:-$PWD/screenshots}"
scripts/with-desktop.sh cargo test --features webdriver --test package
