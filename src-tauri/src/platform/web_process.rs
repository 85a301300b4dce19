//! What WebKitGTK's web process (the window's page) reads from the environment it inherits
//! from the app: set first thing in `main`, kept from the programs the app starts.

/// The switches, as `NAME=value` in the web process's environment.
const SWITCHES: [(&str, &str); 2] = [
    // The page's JavaScript in the interpreter, without a JIT: no machine code is made from a
    // page at run time, as in Safari's Lockdown Mode, and the web process needs about 12 MiB
    // less. The page is small: the interpreter shows the login form as soon.
    ("JSC_useJIT", "false"),
    // The page painted on the GPU from the web process's main thread, not from painting threads
    // that each hold their own GL context and Skia caches: about 27 MiB less at the login
    // screen (the tree's PSS as hello world's), for a page of a few forms (README, "Measured").
    ("WEBKIT_SKIA_GPU_PAINTING_THREADS", "0"),
];

/// Sets the switches (Linux; Windows' WebView2 and macOS's WKWebView do not read them). Called
/// first thing in `main`, while the process has one thread and before the web process starts.
pub fn set_switches() {
    if cfg!(target_os = "linux") {
        for (name, value) in SWITCHES {
            std::env::set_var(name, value);
        }
    }
}

/// A program the app starts for the user (a delivery command) gets the environment the app was
/// started with: without the window's switches.
pub fn without_switches(command: &mut tokio::process::Command) {
    for (name, _) in SWITCHES {
        command.env_remove(name);
    }
}

#[cfg(test)]
mod tests {
    /// The window's side is `tests/window/web_process.rs` (the running web process's environment).
    #[test]
    fn a_delivery_command_does_not_get_the_windows_switches() {
        let mut command = tokio::process::Command::new("env");
        super::without_switches(&mut command);
        let removed: Vec<_> = command.as_std().get_envs().collect();
        let none = |name| (std::ffi::OsStr::new(name), None);
        assert_eq!(removed, [none("JSC_useJIT"), none("WEBKIT_SKIA_GPU_PAINTING_THREADS")], "removed from the command's environment");
    }
}
