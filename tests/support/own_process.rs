//! A test that changes the process's environment (the trust store, the proxy variables, the
//! app's folders) runs in a process of its own: the tests of one binary share one environment,
//! and a variable set for one would reach the others running beside it.

/// In the test binary's own run: runs `test` (its full name, `module_path!()` with the test's
/// name) again alone in a child process, checks that it ran and passed there, and returns
/// true: the caller then returns. In that child: returns false, and the test goes on, free to
/// change the environment.
pub fn run_alone(full_name: &str) -> bool {
    run_alone_under(&[], full_name)
}

/// `run_alone`, the child started through `wrapper` (e.g. `unshare --net --`: a network
/// namespace of its own).
pub fn run_alone_under(wrapper: &[&str], full_name: &str) -> bool {
    const CHILD: &str = "CERTOPAY_TEST_ALONE";
    if std::env::var_os(CHILD).is_some() {
        return false;
    }
    // Its name inside this binary: the path without the binary's own name.
    let test = full_name.split_once("::").map_or(full_name, |(_, path)| path);
    let exe = std::env::current_exe().unwrap();
    let mut command = match wrapper.split_first() {
        Some((program, args)) => {
            let mut command = std::process::Command::new(program);
            command.args(args).arg(&exe);
            command
        }
        None => std::process::Command::new(&exe),
    };
    let output = command
        .args(["--exact", test, "--test-threads=1", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .unwrap_or_else(|e| panic!("the test binary runs again ({wrapper:?}): {e}"));
    let said = String::from_utf8_lossy(&output.stdout);
    let complained = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{test}, alone in its process, failed:\n{said}\n{complained}");
    // A name that matched nothing would pass having run nothing.
    assert!(said.contains("1 passed"), "{test} did not run in its own process:\n{said}");
    true
}
