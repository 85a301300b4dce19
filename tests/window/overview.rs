//! The overview beside the login form, in the real window: every profile with its key as its
//! last session saw it, read from the window after two profiles were logged in, in English and
//! Portuguese, with the keyboard; a row opens that profile's login. The reminder as a real
//! notification on the desktop's D-Bus, and the history exported through the system's save dialog.

use crate::support;

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{choose_language, log_in, log_out, open_settings, sandbox, served_key, wait_dashboard, LIVE, ONE_WINDOW};
use support::webdriver::{Launch, Window};

const TEST: &str = "admin@test.example";

/// The overview's rows as the window shows them: the profile's id and the row's text.
async fn rows(w: &Window) -> Vec<(String, String)> {
    let rows = w
        .script(
            "return [...document.querySelectorAll('#overview-list .overview-row')].map(b => [b.dataset.profileId, b.innerText]);",
            vec![],
        )
        .await;
    serde_json::from_value(rows).unwrap()
}

async fn row_of(w: &Window, name: &str) -> String {
    rows(w).await.into_iter().map(|(_, text)| text).find(|text| text.starts_with(name)).unwrap_or_else(|| panic!("no row for {name}"))
}

/// Presses the row of `name` and logs in as `email` in the form it opened.
async fn log_in_from_the_overview(w: &Window, name: &str, email: &str) {
    let id = rows(w).await.into_iter().find(|(_, text)| text.starts_with(name)).unwrap().0;
    w.click(&format!("#overview-list .overview-row[data-profile-id='{id}']")).await;
    w.wait_for(&format!("document.querySelector('#login-profile').value === '{id}'"), "the row's profile in the form").await;
    log_in(w, email, DEMO_PASSWORD).await;
    wait_dashboard(w).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_overview_shows_two_profiles_keys_as_last_seen_in_both_languages() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = with_two_saved_profiles(&sb).await;
    assert!(row_of(&w, "Loja Centro").await.contains("Never logged in with this app"));
    w.screenshot("overview-never-light").await;
    log_in_to_both(&w).await;

    let live = served_key(&sb, LIVE).await;
    let test = served_key(&sb, TEST).await;
    let centro = row_of(&w, "Loja Centro").await;
    for part in [
        "LIVE",
        "ROTATION DUE",
        "Chave principal",
        live["keyPrefix"].as_str().unwrap(),
        "Key age 120 days",
        "last used 4 minutes ago",
        "As seen on ",
    ] {
        assert!(centro.contains(part), "{part:?} in {centro:?}");
    }
    let homologacao = row_of(&w, "Loja Homologação").await;
    for part in ["TEST", "Homologação", test["keyPrefix"].as_str().unwrap(), "Key age 20 days", "last used 3 hours ago"] {
        assert!(homologacao.contains(part), "{part:?} in {homologacao:?}");
    }
    assert!(!homologacao.contains("ROTATION DUE"), "20 days is under the 90-day period: {homologacao:?}");
    assert!(row_of(&w, "CertoPay").await.contains("Never logged in with this app"));
    let page = w.script("return document.documentElement.outerHTML;", vec![]).await.as_str().unwrap().to_string();
    assert!(!page.contains(live["maskedKey"].as_str().unwrap()), "the mask is not in the overview");
    w.screenshot("overview-light").await;

    // The keyboard: Tab reaches a row, Enter opens its login with the e-mail kept.
    w.script("document.querySelector('#overview-list .overview-row').focus();", vec![]).await;
    w.press("\u{E004}").await;
    w.press("\u{E007}").await;
    w.wait_for("document.activeElement === document.querySelector('#login-password')", "the password field of that profile").await;
    assert_eq!(w.value("#login-email").await, LIVE, "the profile's e-mail, kept");

    open_settings(&w).await;
    choose_language(&w, "pt-BR").await;
    w.click("#close-settings").await;
    w.wait_for("document.querySelector('#overview-title').textContent === 'Suas contas CertoPay'", "the overview in Portuguese").await;
    let centro = row_of(&w, "Loja Centro").await;
    for part in ["TROCA EM ATRASO", "Idade da chave: 120 dias", "último uso há 4 minutos", "Como visto em "] {
        assert!(centro.contains(part), "{part:?} in {centro:?}");
    }
    w.screenshot("pt-overview-light").await;
}

/// "Loja Centro" and "Loja Homologação" saved for the sandbox in a first run; the window of the
/// next start, showing their rows (none logged in yet) beside the default profile's.
async fn with_two_saved_profiles(sb: &certopay_sandbox::Sandbox) -> Window {
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: None }).await;
    for name in ["Loja Centro", "Loja Homologação"] {
        w.invoke("save_profile", json!({"profile": {"id": "", "name": name, "baseUrl": sb.url()}})).await;
    }
    let home = w.close().await;
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: Some(home) }).await;
    w.wait_for("document.querySelectorAll('#overview-list .overview-row').length === 3", "three rows").await;
    w
}

/// Logs in from the overview to "Loja Centro" (LIVE, 120 days), then to "Loja Homologação"
/// (TEST, 20 days), logging out after each: the overview has seen both keys.
async fn log_in_to_both(w: &Window) {
    log_in_from_the_overview(w, "Loja Centro", LIVE).await;
    log_out(w).await;
    log_in_from_the_overview(w, "Loja Homologação", TEST).await;
    log_out(w).await;
}

/// Both keys seen in a first run, so that the next run's start has them. Returns its files.
#[cfg(target_os = "linux")]
pub(crate) async fn first_run_seeing_both_keys(sb: &certopay_sandbox::Sandbox) -> tempfile::TempDir {
    let w = with_two_saved_profiles(sb).await;
    log_in_to_both(&w).await;
    w.close().await
}

/// The notification daemon is this test's own service on the desktop's D-Bus: what the app
/// shows there is what a person would see.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn a_key_past_its_period_is_reminded_at_start_by_a_system_notification_once_a_day() {
    use std::time::Duration;
    use support::notifications::NotificationService;
    let _one = ONE_WINDOW.lock().await;
    let notifications = NotificationService::start();
    let sb = sandbox(Options::default()).await;
    let home = first_run_seeing_both_keys(&sb).await;
    assert_eq!(notifications.shown(), [], "nothing was seen at those runs' start");

    // The next start: the LIVE key is 120 days old, past the 90-day period; the TEST key is not.
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: Some(home) }).await;
    let shown = notifications.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(shown[0].summary, "Time to rotate an API key");
    assert_eq!(shown[0].body, "Loja Centro: the key is 120 days old, past your rotation period of 90 days.");
    assert!(!shown[0].body.contains("sk_"), "never a prefix");
    // A shorter period makes the TEST key due too.
    w.invoke(
        "save_preferences",
        json!({"preferences": {"rotationPeriodDays": 10, "clipboardClearSeconds": 60, "idleLockMinutes": 10, "language": null}}),
    )
    .await;
    let home = w.close().await;

    // The start after: one notification, for the TEST key alone: the LIVE key was reminded today.
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: Some(home) }).await;
    let shown = notifications.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(shown[1].body, "Loja Homologação: the key is 20 days old, past your rotation period of 10 days.");
    assert!(row_of(&w, "Loja Homologação").await.contains("ROTATION DUE"));

    // The setting that turns them off, in both languages.
    open_settings(&w).await;
    w.script("document.querySelector('#pref-reminders').scrollIntoView({block: 'center'});", vec![]).await;
    assert_eq!(w.script("return document.querySelector('#pref-reminders').checked;", vec![]).await, json!(true), "on by default");
    w.screenshot("settings-reminders-light").await;
    choose_language(&w, "pt-BR").await;
    w.wait_for("document.querySelector('label[for=pref-reminders]').textContent.startsWith('Avisar')", "Portuguese").await;
    w.script("document.querySelector('#pref-reminders').scrollIntoView({block: 'center'});", vec![]).await;
    w.screenshot("pt-settings-reminders-light").await;
    assert_eq!(notifications.shown().len(), 2, "no other notification");
}

/// Answers the system's save dialog titled `title` as a person does: the pointer over it (the
/// bare test display gives the keyboard to the window under the pointer), the whole name
/// selected, the full path typed, Enter.
#[cfg(target_os = "linux")]
fn answer_the_save_dialog(title: &str, path: &std::path::Path) {
    let xdotool = |args: &[&str]| {
        let output = std::process::Command::new("xdotool").args(args).output().expect("xdotool runs (package xdotool)");
        assert!(output.status.success(), "xdotool {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    // --sync: returns once a visible window has that title.
    let found = xdotool(&["search", "--sync", "--onlyvisible", "--name", title]);
    let dialog = found.lines().next().expect("the save dialog").to_string();
    xdotool(&["mousemove", "--window", &dialog, "20", "20"]);
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "5", &path.display().to_string()]);
    xdotool(&["key", "Return"]);
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn the_history_is_exported_where_the_save_dialog_says_in_both_languages() {
    use support::rotation::rotate_through_the_window;
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: None }).await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    let secret = support::rotation::clipboard_text().expect("the new key on the clipboard");
    w.click("#clipboard-clear").await;
    open_settings(&w).await;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("en", "Export the rotation history", "rotations.csv", "Profile,E-mail,When", "1 rotation saved to "),
        ("pt-BR", "Exportar o histórico de trocas", "trocas de chave.csv", "Perfil;E-mail;Quando", "1 troca salva em "),
    ];
    for (language, title, file, header, said) in cases {
        if language == "pt-BR" {
            choose_language(&w, "pt-BR").await;
            w.wait_for("document.querySelector('#record-csv').textContent === 'Exportar CSV…'", "Portuguese").await;
        }
        let path = dir.path().join(file);
        w.script("document.querySelector('#record-csv').scrollIntoView({block: 'center'});", vec![]).await;
        w.click("#record-csv").await;
        let (title, chosen) = (title.to_string(), path.clone());
        tokio::task::spawn_blocking(move || answer_the_save_dialog(&title, &chosen)).await.unwrap();
        w.wait_for("document.querySelector('#record-status').textContent !== ''", "the export's sentence").await;
        assert_eq!(w.text("#record-status").await, format!("{said}{}.", path.display()), "{language}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{language}: {e}"));
        assert!(text.starts_with(&format!("\u{feff}{header}")), "{language}: {text}");
        assert_eq!(text.lines().count(), 2, "{language}: a header and one rotation");
        assert!(!text.contains(&secret), "{language}: the secret is in the export");
        let shot = if language == "en" { "settings-export-light" } else { "pt-settings-export-light" };
        w.screenshot(shot).await;
    }
}
