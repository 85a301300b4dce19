#!/usr/bin/env bash
# The Windows app and its per-user installer (src-tauri/windows/installer.nsi), built with
# Debian's packages: `scripts/windows-package.sh release` for make windows (the release profile,
# GUI subsystem), `debug` for make test's installer check (the same script around a debug
# build, stripped, compressed faster: nothing of it ships).
# With a certificate (scripts/windows/sign.sh), the app, the installer and its uninstaller are
# signed; with the updater key (TAURI_SIGNING_PRIVATE_KEY), the installer is signed as an update
# and its feed entry written beside it (latest.json). Prints the installer's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh windows
source scripts/windows-env.sh

profile=${1:-release}
case "$profile" in
  release) windows_cargo build --release -Zbuild-std=std,panic_abort --target "$windows_target" --bin certopay-keys >&2 ;;
  # Built as the Windows tests build it (the same features), so make test compiles it once.
  debug) windows_cargo test -Zbuild-std --target "$windows_target" --lib --test app --no-run >&2 ;;
  *) echo "usage: $0 release|debug" >&2; exit 2 ;;
esac
built="$windows_build_dir/$windows_target/$profile"
out="$target_dir/windows/$profile"
mkdir -p "$out"
case "$profile" in
  release)
    cp "$built/certopay-keys.exe" "$out/certopay-keys.exe"
    compressor=() ;;
  debug)
    x86_64-w64-mingw32-strip -o "$out/certopay-keys.exe" "$built/certopay-keys.exe"
    compressor=(-DFAST_COMPRESSION) ;;
esac
# Signed when a certificate is given (scripts/windows/sign.sh says how), in one line if not.
sign_flags=()
if scripts/windows/sign.sh --configured; then
  scripts/windows/sign.sh "$out/certopay-keys.exe"
  sign_flags=(-DSIGN_COMMAND="$PWD/scripts/windows/sign.sh")
else
  echo "Windows files unsigned: no certificate given (WINDOWS_SIGN_CERT and WINDOWS_SIGN_KEY, or WINDOWS_SIGN_PKCS12)" >&2
fi
# A gnu build links WebView2Loader.dll dynamically; webview2-com-sys leaves it in the profile folder.
cp "$built/WebView2Loader.dll" "$out/"
installer="$out/CertoPay-Keys_${app_version}_x64-setup.exe"
makensis -V2 -WX "${compressor[@]}" "${sign_flags[@]}" \
  -DAPP_EXE="$out/certopay-keys.exe" -DWEBVIEW2_LOADER="$out/WebView2Loader.dll" \
  -DAPP_ICON="$PWD/icons/icon.ico" -DVERSION="$app_version" -DOUT_FILE="$installer" \
  src-tauri/windows/installer.nsi >&2
# The update: signed with the project's updater key when TAURI_SIGNING_PRIVATE_KEY holds it
# (scripts/windows/sign-update.sh: the password stays in the environment), bound to this version,
# and its feed entry written beside it.
if [[ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]]; then
  scripts/windows/sign-update.sh "$installer" "$app_version"
else
  rm -f "$out/latest.json" "$installer.sig"
  echo "Update unsigned: no updater key given (TAURI_SIGNING_PRIVATE_KEY)" >&2
fi
echo "Windows ($profile): $out/certopay-keys.exe $(du -h "$out/certopay-keys.exe" | cut -f1), installer $(du -h "$installer" | cut -f1)" >&2
echo "$installer"
