# Sourced by the Windows scripts: Debian's Rust (rustc-web, which carries the standard library's
# source, built for Windows with -Zbuild-std; rustup cannot add the target here), mingw-w64's
# linker (.cargo/config.toml), Wine.
windows_target=x86_64-pc-windows-gnu
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
# Windows builds keep their own folder under target/: another compiler (Debian's) builds them,
# so they share nothing with the native build, and each build may run while the other does
# without waiting for its lock.
windows_build_dir="$target_dir/windows-build"
wine=/usr/lib/wine/wine64
# Only the Windows builds get Debian's compiler; native cargo runs in the same script keep theirs.
# A Windows build warns nowhere: the cfg(windows) code has no clippy run here.
windows_cargo() {
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$windows_build_dir" \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-D warnings" /usr/bin/cargo "$@"
}
# The version in Cargo.toml, for file names.
app_version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
