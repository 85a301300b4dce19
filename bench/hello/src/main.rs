//! The smallest Tauri window: one page that says hello. With TAURI_HELLO_TIMINGS=1 it prints
//! when its page first painted, as CertoPay Keys prints its milestones, for `make bench`.
//! With `--hidden` its window is made but never shown, as CertoPay Keys waits in the tray, for
//! `make soak`.

fn main() {
    let started = std::time::Instant::now();
    tauri::Builder::default()
        .setup(move |app| {
            let config = app.config().app.windows[0].clone();
            let hidden = std::env::args().skip(1).any(|arg| arg == "--hidden");
            tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
                .on_document_title_changed(move |_, title| {
                    if title == "painted" && std::env::var("TAURI_HELLO_TIMINGS").as_deref() == Ok("1") {
                        eprintln!("TAURI_HELLO_TIMING first paint {:.1}", started.elapsed().as_secs_f64() * 1000.0);
                    }
                })
                .visible(!hidden)
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the hello window runs");
}
