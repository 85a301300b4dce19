//! The real window under Xvfb, driven through WebDriver: only in a build made for tests (the
//! `webdriver` feature). One window at a time (`support::app::ONE_WINDOW`).

#[path = "../support/mod.rs"]
mod support;

// What About says of updates differs by system: Linux's here.
#[cfg(target_os = "linux")]
mod about;
mod accessibility;
// The tray and the desktop's autostart: Linux's D-Bus and XDG autostart here.
#[cfg(target_os = "linux")]
mod background;
// SSH and Squid run where the tests run natively: the Windows runner runs the others.
#[cfg(unix)]
mod delivery_form;
#[cfg(unix)]
mod destinations;
// Hidden in the tray (Linux's D-Bus tray here): what must still happen on time.
#[cfg(target_os = "linux")]
mod hidden_app;
mod late_answers_and_notices;
mod login_session_settings;
mod overview;
mod portuguese;
#[cfg(unix)]
mod proxy_and_certificates;
// The tray's Quit: Linux's D-Bus tray here.
#[cfg(target_os = "linux")]
mod quit;
mod rotation;
// logind's sleep and wake, on the desktop's stand-in system bus (Linux).
#[cfg(target_os = "linux")]
mod sleep_and_wake;
mod slow_network;
// WebKitGTK's web process and its environment (Linux).
#[cfg(target_os = "linux")]
mod web_process;
