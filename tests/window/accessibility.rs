//! Accessibility in the real window, in both languages: axe-core's WCAG 2.1 AA and
//! best-practice rules on every screen, and what axe cannot see: the countdown announced only
//! at its start, at 10 s and at its end; the focus after "Clear clipboard now"; the exact-time
//! tip closed by Escape; controls of at least 24 × 24 px; and every screen at 200% text
//! without horizontal scrolling, dialogs opening at their top.

use crate::support;

use std::time::Duration;

use certopay_sandbox::Options;
use serde_json::{json, Value};
use support::app::{choose_language, open_logged_in, open_settings, sandbox, LIVE, ONE_WINDOW};
use support::rotation::{rotate_through_the_window, set_delays};
use support::webdriver::{Launch, Window};

/// Runs axe-core (fetched from npm by `make test`) on the page; returns its violations.
async fn axe(w: &Window) -> Vec<Value> {
    let path = std::env::var("CERTOPAY_AXE_JS").expect("make test sets CERTOPAY_AXE_JS to axe-core's script");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    w.script(&format!("{source}\nreturn typeof axe;"), vec![]).await;
    let result = w
        .script_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({ id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) }))),
                     e => done([{ id: 'axe failed', help: String(e), nodes: [] }]));",
            vec![],
        )
        .await;
    result.as_array().cloned().unwrap_or_default()
}

async fn assert_accessible(w: &Window, screen: &str) {
    let violations = axe(w).await;
    assert!(violations.is_empty(), "{screen}: {}", serde_json::to_string_pretty(&violations).unwrap());
    // Nothing interactive smaller than 24 × 24 px.
    let small = w
        .script(
            "return [...document.querySelectorAll('button, input, select, summary, a, [tabindex]')]
               .filter(e => e.getClientRects().length && !e.closest('[hidden]') && e.type !== 'hidden' && e.tabIndex >= 0)
               .map(e => [e.id || e.textContent.trim() || e.tagName, Math.round(e.getBoundingClientRect().width), Math.round(e.getBoundingClientRect().height)])
               .filter(([, w, h]) => w < 24 || h < 24);",
            vec![],
        )
        .await;
    assert_eq!(small, json!([]), "{screen}: controls under 24 × 24 px");
}

/// Each screen of a session, in the window's current language.
async fn every_screen(w: &Window, language: &str) {
    assert_accessible(w, &format!("dashboard ({language})")).await;
    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    assert_accessible(w, &format!("rotation step 1 ({language})")).await;
    w.click("#rotate-continue").await;
    w.wait_for("document.querySelector('#rotate-step2').open", "step 2").await;
    assert_accessible(w, &format!("rotation step 2 ({language})")).await;
    w.press("\u{E00C}").await;
    w.wait_for("!document.querySelector('#rotate-step2').open", "step 2 to close").await;
    rotate_through_the_window(w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    assert_accessible(w, &format!("result, watch and history ({language})")).await;
    open_settings(w).await;
    assert_accessible(w, &format!("settings ({language})")).await;
    w.click("#close-settings").await;
    w.wait_for("!document.querySelector('#view-dashboard').hidden", "the dashboard").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_nothing_on_any_screen_in_either_language() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = support::app::open(&sb).await;
    assert_accessible(&w, "login (en)").await;
    support::app::log_in(&w, LIVE, certopay_sandbox::DEMO_PASSWORD).await;
    support::app::wait_dashboard(&w).await;
    every_screen(&w, "en").await;

    open_settings(&w).await;
    choose_language(&w, "pt-BR").await;
    w.wait_for("document.documentElement.lang === 'pt-BR'", "Portuguese").await;
    w.click("#close-settings").await;
    every_screen(&w, "pt-BR").await;
    w.click("#logout").await;
    w.wait_for("document.querySelector('#confirm-dialog').open", "the question").await;
    assert_accessible(&w, "the question before logging out (pt-BR)").await;
    w.click("#confirm-yes").await;
    w.wait_for("!document.querySelector('#view-login').hidden", "login").await;
    assert_accessible(&w, "login (pt-BR)").await;
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_countdown_is_announced_three_times_and_the_focus_lands_on_the_result() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    set_delays(&w, 12, 10).await;
    // Record what the live region says, as a screen reader would hear it.
    w.script(
        "window.heard = [];
         new MutationObserver(() => { const t = document.querySelector('#clipboard-announcer').textContent; if (t) window.heard.push(t); })
           .observe(document.querySelector('#clipboard-announcer'), { childList: true, characterData: true, subtree: true });",
        vec![],
    )
    .await;
    assert_eq!(w.script("return document.querySelector('#rotation-result').getAttribute('aria-live');", vec![]).await, Value::Null);
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for_within(
        "document.querySelector('#rotation-result-countdown').textContent === 'The clipboard was cleared.'",
        "the clear after 12 s",
        Duration::from_secs(25),
    )
    .await;
    let heard = w.script("return window.heard;", vec![]).await;
    let heard: Vec<String> = serde_json::from_value(heard).unwrap();
    assert_eq!(heard.len(), 3, "{heard:?}");
    assert!(heard[0].starts_with("New key sk_live_") && heard[0].ends_with("The clipboard will be cleared in 0:12"), "{heard:?}");
    assert_eq!(heard[1], "The clipboard will be cleared in 0:10");
    assert_eq!(heard[2], "The clipboard was cleared.");

    // Cleared by hand: the button goes, the focus goes to the result, not the page.
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    w.click("#clipboard-clear").await;
    w.wait_for("document.querySelector('#clipboard-clear').hidden", "the clear").await;
    assert_eq!(w.script("return document.activeElement.id;", vec![]).await, json!("rotation-result"));

    // The exact time: shown on focus, hidden by Escape, back when the field is entered again.
    let tip_shown = "return getComputedStyle(document.querySelector('#key-created-exact')).display !== 'none';";
    w.script("document.querySelector('#key-created').focus();", vec![]).await;
    assert_eq!(w.script(tip_shown, vec![]).await, json!(true));
    w.press("\u{E00C}").await;
    assert_eq!(w.script(tip_shown, vec![]).await, json!(false), "Escape hides it");
    w.script("document.querySelector('#refresh').focus(); document.querySelector('#key-created').focus();", vec![]).await;
    assert_eq!(w.script(tip_shown, vec![]).await, json!(true));
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_fits_at_200_percent_text() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    // In Portuguese, whose words run longer than English ones.
    let launch = Launch { base_url: &sb.url(), env: vec![("LANG", "pt_BR.UTF-8".into()), ("LANGUAGE", String::new())], home: None };
    let w = Window::open(launch).await;
    support::app::log_in(&w, LIVE, certopay_sandbox::DEMO_PASSWORD).await;
    support::app::wait_dashboard(&w).await;
    // The user's text size at 200%: every size in the page follows the root's.
    w.script("document.documentElement.style.fontSize = '200%';", vec![]).await;
    let fits = "return document.documentElement.scrollWidth <= window.innerWidth;";
    assert_eq!(w.script(fits, vec![]).await, json!(true), "the dashboard scrolls sideways");
    w.screenshot("pt-dashboard-200-light").await;

    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    // By the first frame painted (the dialog resets its scroll before it), the top shows.
    w.wait_for("document.querySelector('#rotate-step1').scrollTop === 0", "step 1 at its top").await;
    let top = "const d = document.querySelector('#rotate-step1'); const title = d.querySelector('h2').getBoundingClientRect();
               const live = d.querySelector('.live-mark').getBoundingClientRect();
               return [d.scrollTop, title.top >= 0, live.bottom <= window.innerHeight];";
    assert_eq!(w.script(top, vec![]).await, json!([0, true, true]), "step 1 opens at its top with the LIVE warning in view");
    w.screenshot("pt-rotate-step1-200-light").await;
    w.press("\u{E00C}").await;

    open_settings(&w).await;
    assert_eq!(w.script(fits, vec![]).await, json!(true), "settings scroll sideways");
    w.screenshot("pt-settings-200-light").await;
    w.click("#close-settings").await;
    w.click("#logout").await;
    w.wait_for("!document.querySelector('#view-login').hidden", "login").await;
    assert_eq!(w.script(fits, vec![]).await, json!(true), "login scrolls sideways");
    w.screenshot("pt-login-200-light").await;
    w.close().await;
}
