//! The window's web process runs the page's JavaScript without a JIT and paints from its main
//! thread (WebKitGTK reads `JSC_useJIT` and `WEBKIT_SKIA_GPU_PAINTING_THREADS` from the
//! environment the app gives it: `platform::web_process`).

use crate::support;

use certopay_sandbox::Options;
use support::app::{sandbox, ONE_WINDOW};
use support::processes::tree;
use support::webdriver::{Launch, Window};

#[tokio::test(flavor = "multi_thread")]
async fn the_web_process_runs_javascript_without_a_jit_and_paints_without_painting_threads() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: None }).await;
    let web_processes: Vec<Vec<String>> = tree(w.driver_pid().unwrap())
        .into_iter()
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| comm.starts_with("WebKitWebProces")))
        .map(|pid| {
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            environ
                .split(|b| *b == 0)
                .map(|entry| String::from_utf8_lossy(entry).to_string())
                .filter(|e| e.starts_with("JSC_") || e.starts_with("WEBKIT_SKIA_"))
                .collect()
        })
        .collect();
    assert!(!web_processes.is_empty(), "the window has a web process");
    for switches in &web_processes {
        let jsc: Vec<_> = switches.iter().filter(|e| e.starts_with("JSC_")).collect();
        assert_eq!(jsc, ["JSC_useJIT=false"], "each web process runs without a JIT");
        let skia: Vec<_> = switches.iter().filter(|e| e.starts_with("WEBKIT_SKIA_")).collect();
        assert_eq!(skia, ["WEBKIT_SKIA_GPU_PAINTING_THREADS=0"], "each web process paints from its main thread");
    }
    w.close().await;
}
