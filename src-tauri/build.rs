/// Every command the window may call, from the one list (`commands.txt`). Each gets an
/// `allow-…` permission, and the capability file in `capabilities/` grants exactly these.
fn commands() -> &'static [&'static str] {
    let list: Vec<&'static str> =
        include_str!("commands.txt").lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).collect();
    // tauri-build keeps the list for the whole build script's life.
    Box::leak(list.into_boxed_slice())
}

fn main() {
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
