//! Several destinations in the real window: the person adds them in Settings, moves and
//! removes them from the keyboard (each change with the account's password), sees a full list
//! say so, at 200% text too; a rotation then gives each destination's verdict, in English and
//! in Portuguese, with the key on the X11 clipboard for the one that failed; the history says
//! the same.

use crate::support;

use serde_json::json;
use support::app::{choose_language, open_logged_in, open_settings, sandbox, LIVE, ONE_WINDOW};
use support::rotation::{clipboard_text, payment_status, send_rotation};
use support::webdriver::Window;

use certopay_sandbox::{Options, DEMO_PASSWORD};

const ENTER: &str = "\u{E007}";

/// Adds a destination with the form, as a person types it.
async fn add(w: &Window, name: &str, command: &str) {
    w.type_into("#delivery-name", name).await;
    w.type_into("#delivery-command", command).await;
    w.type_into("#delivery-password", DEMO_PASSWORD).await;
    w.click("#delivery-save").await;
    w.wait_for(&format!("document.querySelector('#delivery-status').textContent === 'Destination {name} saved.'"), "saved").await;
}

async fn names(w: &Window) -> serde_json::Value {
    w.script("return [...document.querySelectorAll('#destination-list li strong')].map((n) => n.textContent);", vec![]).await
}

/// Presses Enter on a row's button, reached by the keyboard's focus, after typing the password.
async fn press_on_row(w: &Window, index: usize, button: &str) {
    w.type_into("#delivery-password", DEMO_PASSWORD).await;
    w.script(&format!("document.querySelector('#destination-list li[data-index=\"{index}\"] {button}').focus();"), vec![]).await;
    w.press(ENTER).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_orders_several_destinations_and_a_rotation_says_what_each_did() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    let dir = tempfile::tempdir().unwrap();
    let writer = |file: &str| format!("sh -c 'cat > {0}.new; mv {0}.new {0}'", dir.path().join(file).display());

    open_settings(&w).await;
    w.wait_for("!document.querySelector('#delivery-form').hidden", "the destinations form").await;
    assert_eq!(w.text("#delivery-form-title").await, "Add a destination");
    add(&w, "Vault", &writer("vault")).await;
    add(&w, "Servidor 1", &writer("s1")).await;
    add(&w, "Servidor 2", "sh -c 'cat > /dev/null; echo no space left on device >&2; exit 3'").await;
    assert_eq!(names(&w).await, json!(["Vault", "Servidor 1", "Servidor 2"]));

    // A change without the password is refused, and the list stays as it was.
    w.script("document.querySelector('#destination-list li[data-index=\"0\"] .destination-down').focus();", vec![]).await;
    w.press(ENTER).await;
    w.wait_for("!document.querySelector('#delivery-error').hidden", "the refusal").await;
    assert_eq!(w.text("#delivery-error").await, "Type your password to change where new keys go.");
    assert_eq!(names(&w).await, json!(["Vault", "Servidor 1", "Servidor 2"]));

    // Vault goes to the end, from the keyboard; the focus stays on it.
    press_on_row(&w, 0, ".destination-down").await;
    w.wait_for("document.querySelector('#delivery-status').textContent === 'Vault is now number 2.'", "moved").await;
    press_on_row(&w, 1, ".destination-down").await;
    w.wait_for("document.querySelector('#delivery-status').textContent === 'Vault is now number 3.'", "moved again").await;
    assert_eq!(names(&w).await, json!(["Servidor 1", "Servidor 2", "Vault"]));
    assert_eq!(
        w.script("return document.activeElement.getAttribute('aria-label');", vec![]).await,
        json!("Move Vault up"),
        "at the end, the focus is on the arrow that still moves it"
    );

    // Five is the most: the form says so. A long list, at 200% text too.
    add(&w, "Worker de cobrança", "sh -c 'cat > /dev/null'").await;
    add(&w, "Homologação (servidor antigo com um nome bem comprido)", "sh -c 'cat > /dev/null'").await;
    w.wait_for("!document.querySelector('#delivery-full').hidden", "the list is full").await;
    assert_eq!(
        w.text("#delivery-full").await,
        "This profile has five destinations, the most it may have: change or remove one to make room."
    );
    w.script("document.querySelector('#destination-list').scrollIntoView();", vec![]).await;
    w.screenshot("settings-destinations-full-light").await;
    w.script("document.documentElement.style.fontSize = '200%';", vec![]).await;
    let fits = "return document.documentElement.scrollWidth <= window.innerWidth;";
    assert_eq!(w.script(fits, vec![]).await, json!(true), "the list scrolls sideways at 200% text");
    w.script("document.querySelector('#destination-list').scrollIntoView();", vec![]).await;
    w.screenshot("settings-destinations-full-200-light").await;
    w.script("document.documentElement.style.fontSize = '';", vec![]).await;

    // Removed from the keyboard: the focus goes to the next line.
    press_on_row(&w, 4, ".destination-remove").await;
    w.wait_for("document.querySelectorAll('#destination-list li').length === 4", "removed").await;
    press_on_row(&w, 3, ".destination-remove").await;
    w.wait_for("document.querySelector('#delivery-status').textContent === 'Destination Worker de cobrança removed.'", "removed").await;
    assert_eq!(names(&w).await, json!(["Servidor 1", "Servidor 2", "Vault"]));

    // Changed: the form is filled with it, and says which.
    w.click("#destination-list li[data-index=\"2\"] .destination-edit").await;
    assert_eq!(w.text("#delivery-form-title").await, "Change Vault");
    assert_eq!(w.value("#delivery-command").await, writer("vault"));
    w.type_into("#delivery-timeout", "20").await;
    w.type_into("#delivery-password", DEMO_PASSWORD).await;
    w.click("#delivery-save").await;
    w.wait_for("document.querySelector('#delivery-status').textContent === 'Destination Vault saved.'", "changed").await;
    assert_eq!(names(&w).await, json!(["Servidor 1", "Servidor 2", "Vault"]), "changed in its place");
    w.click("#close-settings").await;

    // The rotation: step 1 names all three; the second fails after the regenerate.
    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    assert!(w
        .text("#rotate-step1-delivery")
        .await
        .starts_with("The new key goes straight to Servidor 1, Servidor 2, and Vault, all at once"));
    w.press("\u{E00C}").await;
    send_rotation(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    let text = w.text("#rotation-result-text").await;
    assert!(
        text.starts_with(
            "Delivered to Servidor 1 and Vault. Servidor 2 failed: exit status 3. The key is on your clipboard for it. New key sk_live_"
        ),
        "{text}"
    );
    let lines = w.script("return [...document.querySelectorAll('#rotation-deliveries li')].map((l) => l.textContent);", vec![]).await;
    assert_eq!(lines[1], json!("Servidor 2: failed, exit status 3."), "{lines}");
    assert!(lines[0].as_str().unwrap().starts_with("Servidor 1: delivered at "), "{lines}");
    assert_eq!(w.text("#rotation-result-where-details code").await, "Servidor 2: exit status 3 · no space left on device");
    let secret = clipboard_text().expect("the key is on the X11 clipboard for the second");
    assert_eq!(payment_status(&sb, &secret).await, 200);
    for file in ["s1", "vault"] {
        assert_eq!(std::fs::read_to_string(dir.path().join(file)).unwrap(), secret, "{file} has the key");
    }
    w.screenshot("rotate-destinations-one-failed-light").await;
    w.wait_for(
        "document.querySelector('#history-rows').textContent.includes('Rotated, delivered to Servidor 1 and Vault; Servidor 2 failed (clipboard)')",
        "the history",
    )
    .await;

    // In Portuguese, the same result in its words.
    open_settings(&w).await;
    choose_language(&w, "pt-BR").await;
    assert_eq!(names(&w).await, json!(["Servidor 1", "Servidor 2", "Vault"]));
    // The language changes once the preference is saved: the list is drawn again in its words.
    w.wait_for(
        "document.querySelector('#destination-list li[data-index=\"0\"] .destination-down').getAttribute('aria-label') === 'Mover Servidor 1 para baixo'",
        "the list in Portuguese",
    )
    .await;
    w.screenshot("pt-settings-destinations-light").await;
    w.click("#close-settings").await;
    let text = w.text("#rotation-result-text").await;
    assert!(
        text.starts_with(
            "Entregue em Servidor 1 e Vault. A entrega em Servidor 2 falhou: código de saída 3. A chave está na área de transferência para ele."
        ),
        "{text}"
    );
    w.screenshot("pt-rotate-destinations-one-failed-light").await;
    w.close().await;
}
