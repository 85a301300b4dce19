# Sourced by the Windows scripts: Debian's Rust (rustc-web, which carries the standard library's
# source, built for Windows with -Zbuild-std; rustup cannot add the target here), mingw-w64's
# linker (.cargo/config.toml), Wine.
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
windows_target=x86_64-pc-windows-gnu
# A Windows build warns nowhere: the cfg(windows) code has no clippy run here.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-D warnings"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
wine=/usr/lib/wine/wine64
windows_cargo() { /usr/bin/cargo "$@"; }
# The version in Cargo.toml, for file names.
app_version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
