#!/usr/bin/env bash
# `make test`: every test, on a private X display, D-Bus session and unlocked keychain, with
# the app's config and data dirs in a temporary folder so a developer's own are never touched.
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh --test window`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--inside" ]]; then
  scripts/install-deps.sh test
  # Build first, outside the timed part, so a slow compile never looks like a hung test.
  cargo build --workspace --tests --bins
  exec dbus-run-session -- "$0" --inside "$@"
fi
shift

scratch=$(mktemp -d)
cleanup() {
  [[ -n "${xvfb_pid:-}" ]] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# A private display; Xvfb writes its number to the pipe once it accepts connections.
mkfifo "$scratch/display"
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$scratch/display" >"$scratch/xvfb.log" 2>&1 &
xvfb_pid=$!
read -r display_number <"$scratch/display"
export DISPLAY=":$display_number"

export XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" XDG_CACHE_HOME="$scratch/cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"

# A real Secret Service on this session bus, with a fresh login keyring created and unlocked
# (gnome-keyring refuses to create one with an empty password). It ends with the bus.
eval "$(printf 'certopay-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

export CERTOPAY_SCREENSHOTS="${CERTOPAY_SCREENSHOTS:-$PWD/screenshots}"
mkdir -p "$CERTOPAY_SCREENSHOTS"
echo "Display $DISPLAY, D-Bus $DBUS_SESSION_BUS_ADDRESS, screenshots in $CERTOPAY_SCREENSHOTS"
cargo test --workspace "$@"
