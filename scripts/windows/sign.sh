#!/usr/bin/env bash
# Signs a Windows file in place (Authenticode, SHA-256) with osslsigncode, when a certificate is
# given; otherwise leaves it as it is. scripts/windows-package.sh runs it on the app, and NSIS
# (!finalize, !uninstfinalize) on the installer and the uninstaller it writes.
#   WINDOWS_SIGN_CERT + WINDOWS_SIGN_KEY     a PEM certificate chain and its PEM private key, or
#   WINDOWS_SIGN_PKCS12 (+ WINDOWS_SIGN_PASSWORD)   a PKCS#12 file and its password
#   WINDOWS_SIGN_TIMESTAMP_URL               an RFC 3161 timestamp server (none by default: offline)
# Usage: scripts/windows/sign.sh FILE | --configured (exit 0 when a certificate is given)
set -euo pipefail

configured() {
  [[ -n "${WINDOWS_SIGN_CERT:-}" && -n "${WINDOWS_SIGN_KEY:-}" ]] || [[ -n "${WINDOWS_SIGN_PKCS12:-}" ]]
}
if [[ "${1:-}" == --configured ]]; then
  configured
  exit
fi
file=${1:?usage: $0 FILE}
configured || exit 0

if [[ -n "${WINDOWS_SIGN_PKCS12:-}" ]]; then
  # The password through a pipe, never on a command line that ps would show.
  credentials=(-pkcs12 "$WINDOWS_SIGN_PKCS12" -readpass /dev/stdin)
else
  credentials=(-certs "$WINDOWS_SIGN_CERT" -key "$WINDOWS_SIGN_KEY")
fi
timestamp=()
if [[ -n "${WINDOWS_SIGN_TIMESTAMP_URL:-}" ]]; then
  timestamp=(-ts "$WINDOWS_SIGN_TIMESTAMP_URL")
fi
signed="$file.signed"
printf '%s' "${WINDOWS_SIGN_PASSWORD:-}" | osslsigncode sign "${credentials[@]}" "${timestamp[@]}" -h sha256 \
  -n "CertoPay Keys" -i "https://v2.certopaybrasil.com" -in "$file" -out "$signed" >&2
mv -f "$signed" "$file"
