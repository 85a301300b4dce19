#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages a make target needs, only those missing, and says which.
# Usage: scripts/install-deps.sh build|test|bench|bundle|windows [more sets], in one apt run
set -euo pipefail

build_packages=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev)
# A real window, a real clipboard, a real keychain and the system's save dialog (typed into
# with xdotool, as make bench types the login into the release window) for the end-to-end tests.
test_packages=(xvfb xauth webkit2gtk-driver xclip xdotool gnome-keyring dbus-x11 libsecret-tools x11-utils
  squid openssl openssh-server openssh-client
  libglib2.0-bin gsettings-desktop-schemas dconf-gsettings-backend dconf-service)

wanted=()
for set in "${@:-build}"; do
  case "$set" in
    build) wanted+=("${build_packages[@]}") ;;
    test) wanted+=("${build_packages[@]}" "${test_packages[@]}") ;;
    bench) wanted+=("${build_packages[@]}" "${test_packages[@]}") ;;
    # make bundle screenshots the installed app's window with ImageMagick's import.
    bundle) wanted+=("${build_packages[@]}" "${test_packages[@]}" imagemagick) ;;
    # make windows and the Windows tests: Debian's Rust with the standard library's source (to
    # build it for Windows), mingw-w64 to link, NSIS for the installer, osslsigncode to sign it, Wine
    # to run the tests and the installer.
    windows) wanted+=("${build_packages[@]}" rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 nsis osslsigncode wine64 locales) ;;
    *) echo "usage: $0 build|test|bench|bundle|windows [more sets]" >&2; exit 2 ;;
  esac
done

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is not installed: install Rust from your distribution or rustup first." >&2
  exit 1
fi

# make test checks formatting and lints: the toolchain's rustfmt and clippy.
if [[ " $* " != " build " && $# -gt 0 ]] && command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
  done
fi

if ! command -v dpkg >/dev/null 2>&1; then
  echo "Not a Debian/Ubuntu system: install the equivalents of: ${wanted[*]}" >&2
  exit 0
fi

missing=()
# The window tests fetch axe-core with npm: Node.js, where the machine has none.
if [[ " $* " != " build " && $# -gt 0 ]] && ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "Installing missing system packages: ${missing[*]}"
  if [[ ${#sudo[@]} -gt 0 ]] && ! command -v sudo >/dev/null 2>&1; then
    echo "Run as root or install sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Squid and OpenSSH's server are started by the tests themselves, on loopback ports only: their
  # packages must not start system-wide services. Where nothing already says so, a policy-rc.d
  # that refuses every start stands for the install, and goes after it.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    trap '"${sudo[@]}" rm -f "$policy"' EXIT
  fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
fi

# The Windows tests run Wine in Portuguese and in English: Wine takes the user's language from
# LANG only where the C library has that locale.
if [[ " $* " == *" windows "* ]]; then
  for locale in pt_BR en_US; do
    if ! locale -a 2>/dev/null | grep -qi "^$locale.utf-\?8$"; then
      echo "Generating the $locale.UTF-8 locale"
      "${sudo[@]}" localedef -i "$locale" -c -f UTF-8 -A /usr/share/locale/locale.alias "$locale.UTF-8"
    fi
  done
fi
