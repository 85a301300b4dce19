//! What a launch may say about this run: the address to open (`--base-url`,
//! `CERTOPAY_KEYS_BASE_URL`), and, in a build made for tests only, shorter waits and an update
//! feed of the test's.

use std::time::Duration;

use crate::app::built_in_update_source;
use crate::certopay::update_server::UpdateSource;
use crate::certopay::ClientOptions;
use crate::rules::settle_schedule::SettleSchedule;

/// The base URL given at launch: `--base-url URL`, else `CERTOPAY_KEYS_BASE_URL`.
pub(super) fn launch_base_url() -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--base-url" {
            return args.next();
        }
        if let Some(url) = arg.strip_prefix("--base-url=") {
            return Some(url.to_string());
        }
    }
    std::env::var("CERTOPAY_KEYS_BASE_URL").ok().filter(|u| !u.trim().is_empty())
}

/// A number list from the environment, in a build made for tests (feature `webdriver`) only:
/// the window tests of slow servers shorten the app's waits with it. Every other build has
/// the waits the code says.
fn test_millis(name: &str) -> Option<Vec<Duration>> {
    if !cfg!(feature = "webdriver") {
        return None;
    }
    let text = std::env::var(name).ok()?;
    text.split(',').map(|n| n.trim().parse().ok().map(Duration::from_millis)).collect()
}

/// The client's timeouts; a test build may shorten the request timeout (CERTOPAY_KEYS_REQUEST_TIMEOUT_MS).
pub(super) fn client_options() -> ClientOptions {
    let defaults = ClientOptions { clock: crate::platform::app_clock::now, ..ClientOptions::default() };
    match test_millis("CERTOPAY_KEYS_REQUEST_TIMEOUT_MS").and_then(|t| t.first().copied()) {
        Some(request_timeout) => ClientOptions { request_timeout, ..defaults },
        None => defaults,
    }
}

/// Where updates come from: the build's feed and key; a test build (or the soak's) may name
/// its own (CERTOPAY_KEYS_TEST_UPDATE_FEED and CERTOPAY_KEYS_TEST_UPDATE_KEY), on any system.
pub(super) fn update_source() -> Option<UpdateSource> {
    if cfg!(any(feature = "webdriver", feature = "fast-clock")) {
        let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let (Some(feed), Some(public_key)) = (read("CERTOPAY_KEYS_TEST_UPDATE_FEED"), read("CERTOPAY_KEYS_TEST_UPDATE_KEY")) {
            return url::Url::parse(&feed).ok().map(|feed| UpdateSource { feed, public_key });
        }
    }
    built_in_update_source()
}

/// The checks after an unanswered rotation; a test build may shorten them (CERTOPAY_KEYS_SETTLE_MS="0,500,1000").
pub(super) fn settle_schedule() -> SettleSchedule {
    test_millis("CERTOPAY_KEYS_SETTLE_MS").map(SettleSchedule::new).unwrap_or_default()
}
