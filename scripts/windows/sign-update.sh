#!/usr/bin/env bash
# Signs a Windows installer as an update with the project's updater key and writes its feed
# entry beside it (scripts/windows-package.sh runs it when TAURI_SIGNING_PRIVATE_KEY is set).
# Usage: scripts/windows/sign-update.sh INSTALLER VERSION
# The Tauri CLI's signer reads the key and its password from the environment
# (TAURI_SIGNING_PRIVATE_KEY, TAURI_SIGNING_PRIVATE_KEY_PASSWORD): the password is never put on
# a command line, where any user of the machine could read it in the process list. The
# signature is bound to VERSION, so a feed cannot pair it with another number.
set -euo pipefail
cd "$(dirname "$0")/../.."
installer=$1
app_version=$2
tauri=${CERTOPAY_TAURI_CLI:-$(scripts/tauri-cli.sh)}
export TAURI_SIGNING_PRIVATE_KEY_PASSWORD="${TAURI_SIGNING_PRIVATE_KEY_PASSWORD:-}"
"$tauri" signer sign --app-version "$app_version" "$installer" >/dev/null
download_base=${CERTOPAY_UPDATE_DOWNLOAD_BASE:-https://downloads.certopay.example/keys}
out=$(dirname "$installer")
python3 - "$installer" "$app_version" "$download_base" >"$out/latest.json" <<'PY'
import json, os, sys, datetime
installer, version, base = sys.argv[1:4]
signature = open(installer + ".sig").read().strip()
print(json.dumps({
    "version": version,
    "notes": os.environ.get("CERTOPAY_UPDATE_NOTES", ""),
    "pub_date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "platforms": {"windows-x86_64": {"signature": signature, "url": f"{base.rstrip('/')}/{os.path.basename(installer)}"}},
}, indent=2))
PY
echo "Update signed: $installer.sig; feed entry: $out/latest.json (publish the installer at its url)" >&2
