#!/usr/bin/env bash
# Runs a command on a private desktop: its own X display (Xvfb), D-Bus session and unlocked
# GNOME keyring, with the app's config, data and cache dirs in a temporary folder, so a
# developer's own display, keychain and settings are never touched.
# Usage: scripts/with-desktop.sh COMMAND [ARGS…]
set -euo pipefail

if [[ "${1:-}" != "--inside" ]]; then
  exec dbus-run-session -- "$0" --inside "$@"
fi
shift

scratch=$(mktemp -d)
cleanup() {
  [[ -n "${xvfb_pid:-}" ]] && kill "$xvfb_pid" 2>/dev/null || true
  [[ -n "${system_bus_pid:-}" ]] && kill "$system_bus_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# Xvfb writes its display number to the pipe once it accepts connections.
mkfifo "$scratch/display"
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$scratch/display" >"$scratch/xvfb.log" 2>&1 &
xvfb_pid=$!
read -r display_number <"$scratch/display"
export DISPLAY=":$display_number"

export XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" XDG_CACHE_HOME="$scratch/cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
# dconf (behind GNOME's settings), which the bus starts on demand, keeps them in this config
# folder too. Only this one: the document portal would mount a FUSE folder in the cache one,
# which the cleanup cannot remove.
dbus-update-activation-environment XDG_CONFIG_HOME

# A real Secret Service on this session bus, with a fresh login keyring created and unlocked
# (gnome-keyring refuses to create one with an empty password). It ends with the bus.
eval "$(printf 'certopay-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

# A bus of its own standing for the system bus, where tests say what logind says (the machine
# going to sleep, waking): CI runs no system bus, and a developer's real one is never touched.
# No service is started on it.
cat >"$scratch/system-bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=$scratch/system-bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
system_bus_pid=$(dbus-daemon --config-file="$scratch/system-bus.conf" --fork --print-pid)
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$scratch/system-bus"

echo "Private desktop: display $DISPLAY, D-Bus $DBUS_SESSION_BUS_ADDRESS"
"$@"
