/// Every command the window may call, from the one list (`commands.txt`). Each gets an
/// `allow-…` permission, and the capability file in `capabilities/` grants exactly these.
fn commands() -> &'static [&'static str] {
    let list: Vec<&'static str> =
        include_str!("commands.txt").lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).collect();
    // tauri-build keeps the list for the whole build script's life.
    Box::leak(list.into_boxed_slice())
}

/// The release profile aborts on a panic, so nothing unwinds, yet the unwinding tables stayed
/// (.eh_frame, 0.7 MB of the 6.2 MB binary): the standard library is built with them, and
/// link-time optimisation then keeps them for every function (`-C force-unwind-tables=no`
/// changed nothing). On Linux the linker leaves them out. A panic still prints its message
/// and place and aborts, as before; only a backtrace asked for with RUST_BACKTRACE stops at its
/// first frame (the binary has no symbols to name the others anyway: `strip = true`).
fn leave_out_unwind_tables_in_release() {
    let var = |name| std::env::var(name).unwrap_or_default();
    // PROFILE is "release" for every profile that inherits it (bloat too).
    if var("PROFILE") != "release" || var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return;
    }
    let script = std::path::Path::new(&var("CARGO_MANIFEST_DIR")).join("src-tauri/linux/no-unwind-tables.ld");
    println!("cargo:rerun-if-changed={}", script.display());
    println!("cargo:rustc-link-arg-bins=-Wl,--no-eh-frame-hdr");
    println!("cargo:rustc-link-arg-bins={}", script.display());
}

fn main() {
    leave_out_unwind_tables_in_release();
    // tauri-build watches its default capabilities folder, not the one named below: without
    // this line an edited capability file would not reach the binary until a clean build.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/commands.txt");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(commands())),
    )
    .expect("tauri-build failed");
}
