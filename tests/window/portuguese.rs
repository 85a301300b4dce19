//! The window in Brazilian Portuguese: chosen by the system's language (LANG=pt_BR.UTF-8, even
//! where that locale is not compiled) or by the setting; every screen free of the English
//! catalogue's words; dates as dd/mm/aaaa; and a switch of language applied at once.

use crate::support;

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{choose_language, log_in, log_out, open_logged_in, open_settings, sandbox, wait_dashboard, LIVE, ONE_WINDOW};
use support::catalogue::{catalogue, fixed_runs};
use support::webdriver::{Launch, Window};

/// The system says Portuguese: LANG alone, as a Brazilian desktop sets it.
fn portuguese_system() -> Vec<(&'static str, String)> {
    vec![("LANG", "pt_BR.UTF-8".into()), ("LANGUAGE", String::new())]
}

/// The English catalogue's words that Portuguese says differently: none may show.
fn english_only_runs() -> Vec<String> {
    let en = catalogue("en.js");
    let pt = catalogue("pt-BR.js");
    en.iter().filter(|(key, text)| pt[*key] != **text).flat_map(|(_, text)| fixed_runs(text)).collect()
}

async fn assert_no_english(w: &Window, screen: &str) {
    let text = w.script("return document.body.innerText;", vec![]).await.as_str().unwrap().to_string();
    let english: Vec<_> = english_only_runs().into_iter().filter(|run| contains_words(&text, run)).collect();
    assert!(english.is_empty(), "{screen} shows English: {english:?}\n{text}");
    assert_eq!(w.script("return document.documentElement.lang;", vec![]).await, json!("pt-BR"), "{screen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_system_language_gives_portuguese_on_every_screen() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = Window::open(Launch { base_url: &sb.url(), env: portuguese_system(), home: None }).await;
    assert_eq!(w.text("#login-title").await, "Entrar");
    assert_no_english(&w, "login").await;
    w.screenshot("pt-login-light").await;

    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    assert_no_english(&w, "dashboard").await;
    let created = w.text("#key-created").await;
    assert!(is_ddmmyyyy(&created[..10]), "dd/mm/aaaa: {created}");
    assert!(created.contains("(há "), "relative time in Portuguese: {created}");
    let exact = w.text("#key-created-exact").await;
    assert!(is_ddmmyyyy(&exact[..10]) && exact.contains("(seu horário)") && exact.ends_with("UTC"), "{exact}");
    assert!(w.text("#key-last-used").await.starts_with("há "), "há 4 minutos");
    w.screenshot("pt-dashboard-light").await;

    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    assert_no_english(&w, "rotation step 1").await;
    w.screenshot("pt-rotate-step1-light").await;
    w.click("#rotate-continue").await;
    w.wait_for("document.querySelector('#rotate-step2').open", "step 2").await;
    assert_no_english(&w, "rotation step 2").await;
    w.type_into("#rotate-typed", "Chave principal").await;
    w.click("#rotate-now").await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    assert!(w.text("#rotation-result-text").await.starts_with("Chave nova sk_live_"));
    assert_no_english(&w, "the result, the watch and the history").await;
    w.screenshot("pt-rotate-result-light").await;

    open_settings(&w).await;
    assert_no_english(&w, "settings").await;
    w.screenshot("pt-settings-light").await;

    // English, chosen in settings: the open screen changes at once.
    choose_language(&w, "en").await;
    w.wait_for("document.querySelector('#settings-title').textContent === 'Settings'", "English").await;
    assert_eq!(w.script("return document.documentElement.lang;", vec![]).await, json!("en"));
    w.click("#close-settings").await;
    w.wait_for("document.querySelector('#rotate-open').textContent === 'Rotate key…'", "the dashboard in English").await;
    assert!(w.text("#rotation-result-text").await.starts_with("New key sk_live_"), "the result is said again in English");
    assert!(!is_ddmmyyyy(&w.text("#key-created").await[..10]), "English dates");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_setting_gives_portuguese_on_an_english_system() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![("GTK_THEME", "Adwaita:dark".into())], home: None }).await;
    assert_eq!(w.text("#login-title").await, "Log in");
    open_settings(&w).await;
    choose_language(&w, "pt-BR").await;
    w.wait_for("document.querySelector('#settings-title').textContent === 'Configurações'", "Portuguese").await;
    assert_no_english(&w, "settings, switched").await;
    w.screenshot("pt-settings-dark").await;
    w.click("#close-settings").await;
    w.wait_for("!document.querySelector('#view-login').hidden", "login").await;
    assert_no_english(&w, "login, switched").await;
    w.screenshot("pt-login-dark").await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    assert_no_english(&w, "dashboard, switched").await;
    w.screenshot("pt-dashboard-dark").await;
    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    w.screenshot("pt-rotate-step1-dark").await;
    w.click("#rotate-continue").await;
    w.wait_for("document.querySelector('#rotate-step2').open", "step 2").await;
    w.type_into("#rotate-typed", "Chave principal").await;
    w.screenshot("pt-rotate-step2-dark").await;
    w.click("#rotate-now").await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    assert_no_english(&w, "the result, switched").await;
    w.screenshot("pt-rotate-result-dark").await;
    let home = w.close().await;

    // Saved: the next start speaks Portuguese on this English system.
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: Some(home) }).await;
    assert_eq!(w.text("#login-title").await, "Entrar");
    w.close().await;
}

/// A press on Back held while the page says itself again in another language still goes
/// back: the words change under the pointer, the button pressed stays the one released.
#[tokio::test(flavor = "multi_thread")]
async fn a_press_held_on_back_while_the_language_changes_still_goes_back() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    open_settings(&w).await;
    w.hold_mouse_on("#close-settings").await;
    choose_language(&w, "pt-BR").await;
    w.wait_for("document.querySelector('#close-settings').textContent === 'Voltar'", "Back in Portuguese").await;
    w.release_mouse().await;
    w.wait_for("!document.querySelector('#view-dashboard').hidden", "the dashboard after the release").await;
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_banner_under_the_top_bar_is_said_again_in_a_newly_chosen_language() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: None }).await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    log_out(&w).await;
    assert_eq!(w.text("#notice").await, "You are logged out.");
    open_settings(&w).await;
    choose_language(&w, "pt-BR").await;
    w.wait_for("document.querySelector('#settings-title').textContent === 'Configurações'", "Portuguese").await;
    assert_eq!(w.text("#notice").await, "Você saiu.");
    assert_no_english(&w, "settings after logging out, switched").await;
}

fn is_ddmmyyyy(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10 && b[2] == b'/' && b[5] == b'/' && b.iter().enumerate().all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit())
}

/// Whether `words` stand in `text` as whole words ("Cancel" is not in "Cancelar").
fn contains_words(text: &str, words: &str) -> bool {
    text.match_indices(words).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + words.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}
