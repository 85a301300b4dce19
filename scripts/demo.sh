#!/usr/bin/env bash
# `make demo`: starts the sandbox on a free port, opens the app pointed at it, and stops the
# sandbox when the window closes.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${CARGO_TARGET_DIR:-target}/debug"
for program in certopay-sandbox certopay-keys; do
  [[ -x "$bin/$program" ]] || { echo "$bin/$program is missing: run 'make demo', which builds it." >&2; exit 1; }
done

scratch=$(mktemp -d)
cleanup() {
  [[ -n "${sandbox_pid:-}" ]] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

mkfifo "$scratch/banner"
"$bin/certopay-sandbox" --port 0 >"$scratch/banner" 2>"$scratch/sandbox.log" &
sandbox_pid=$!
exec 4<"$scratch/banner"
read -r first_line <&4
sandbox_url=${first_line#CERTOPAY_SANDBOX_URL=}
echo "The CertoPay sandbox is running at $sandbox_url"
# The banner's demo accounts, for the newcomer at the terminal.
while read -r -t 2 line <&4; do
  echo "$line"
  [[ "$line" == *nokey* ]] && break
done
echo
echo "Opening CertoPay Keys with the profile \"Sandbox\" at $sandbox_url."
echo "Log in as admin@live.example with the password certopay-demo."
CERTOPAY_KEYS_BASE_URL="$sandbox_url" "$bin/certopay-keys"
