//! The overview before any login and the reminders, with no window: what each profile's last
//! session saw of its key, kept across runs without a secret, a token or a password, gone with
//! its profile; a reminder for a key past its period, once a day.

use crate::support;

use chrono::{Duration, Utc};

use certopay_keys::app::AppState;
use certopay_keys::rules::api_key::KeyMode;
use certopay_keys::rules::settings::Profile;
use certopay_keys::wire::Preferences;
use certopay_sandbox::{Options, DEMO_PASSWORD};
use support::app::{served_key, JWT_START, LIVE};
use support::harness::{harness, next_run, Harness};
use zeroize::Zeroizing;

const TEST: &str = "admin@test.example";

/// A saved profile for the sandbox, named `name`.
fn add_profile(h: &Harness, name: &str) -> String {
    let profile = Profile {
        id: String::new(),
        name: name.into(),
        base_url: h.sb.url(),
        email: String::new(),
        remember_password: false,
        proxy: Default::default(),
        destinations: Vec::new(),
    };
    h.state.save_profile(profile).unwrap();
    h.state.settings().profiles.iter().find(|p| p.name == name).unwrap().id.clone()
}

/// Logs in to `profile_id` as `email`, reads the key as the dashboard does, and logs out.
async fn look_at_the_key(h: &Harness, profile_id: &str, email: &str) {
    h.state.login(profile_id, email, Zeroizing::new(DEMO_PASSWORD.into()), false).await.unwrap();
    h.state.current_key().await.unwrap();
}

fn files_text(h: &Harness) -> String {
    let mut text = String::new();
    for dir in ["config", "data"] {
        for entry in std::fs::read_dir(h.files.path().join(dir)).unwrap() {
            text += &String::from_utf8_lossy(&std::fs::read(entry.unwrap().path()).unwrap());
        }
    }
    text
}

#[tokio::test]
async fn the_overview_shows_each_profiles_key_as_last_seen_kept_without_a_secret_and_gone_with_its_profile() {
    let h = harness(Options::default()).await;
    let centro = add_profile(&h, "Loja Centro");
    let homologacao = add_profile(&h, "Loja Homologação");
    let never = add_profile(&h, "Loja Nunca");
    let row = |state: &AppState, id: &str| state.profile_overview(Utc::now()).into_iter().find(|r| r.id == id).unwrap();
    assert_eq!(row(&h.state, &centro).seen, None, "before any login nothing is known");

    look_at_the_key(&h, &centro, LIVE).await;
    h.state.logout(true).await;
    look_at_the_key(&h, &homologacao, TEST).await;
    // A rotation: the overview then has the new key, and a secret existed to be leaked.
    let rotated = h.rotate().await.unwrap();
    let secret = h.clipboard.text().expect("the new secret on the clipboard");
    let new_prefix = rotated.new_prefix.unwrap();
    h.state.logout(true).await;

    let live = served_key(&h.sb, LIVE).await;
    for state in [&h.state, &next_run(&h, None)] {
        let centro_row = row(state, &centro);
        let seen = centro_row.seen.as_ref().expect("seen at its last login");
        assert_eq!((centro_row.name.as_str(), centro_row.mode), ("Loja Centro", KeyMode::Live));
        assert_eq!(seen.label, "Chave principal");
        assert_eq!(seen.key_prefix, live["keyPrefix"].as_str().unwrap());
        assert!(seen.active && seen.last_used_at.is_some());
        assert!((Utc::now() - seen.seen_at) < Duration::minutes(5));
        assert_eq!((centro_row.age_days, centro_row.rotation_due), (Some(120), true), "120 days, past the 90-day period");
        let test_row = row(state, &homologacao);
        let seen = test_row.seen.as_ref().unwrap();
        assert_eq!(test_row.mode, KeyMode::Test);
        assert!(new_prefix.starts_with(seen.key_prefix.trim_end_matches('.')), "{new_prefix} / {}", seen.key_prefix);
        assert_eq!((test_row.age_days, test_row.rotation_due), (Some(0), false), "the rotated key is new");
        assert_eq!(row(state, &never).seen, None);
    }

    let on_disk = files_text(&h);
    assert!(on_disk.contains("Chave principal"), "the overview is kept in the settings folder");
    for (what, text) in [("secret", secret.as_str()), ("token", JWT_START), ("password", DEMO_PASSWORD)] {
        assert!(!on_disk.contains(text), "the {what} is in the app's files");
    }
    let masked = live["maskedKey"].as_str().unwrap();
    assert!(!on_disk.contains(masked), "the mask is not kept");

    h.state.remove_profile(&centro).unwrap();
    assert!(h.state.profile_overview(Utc::now()).iter().all(|r| r.id != centro));
    let seen_file = std::fs::read_to_string(h.files.path().join("config/seen-keys.json")).unwrap();
    assert!(!seen_file.contains(&centro) && !seen_file.contains("Chave principal"), "its metadata went with it: {seen_file}");
    assert!(next_run(&h, None).profile_overview(Utc::now()).iter().all(|r| r.id != centro));
}

#[tokio::test]
async fn a_key_past_its_period_is_reminded_once_a_day_and_one_under_it_never() {
    let h = harness(Options::default()).await;
    let live = add_profile(&h, "Loja Centro");
    let test = add_profile(&h, "Loja Homologação");
    look_at_the_key(&h, &live, LIVE).await;
    look_at_the_key(&h, &test, TEST).await;
    h.state.logout(true).await;

    let now = Utc::now();
    let reminders = h.state.take_due_reminders(now);
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!((reminders[0].profile_name.as_str(), reminders[0].age_days), ("Loja Centro", 120));
    assert_eq!(h.state.take_due_reminders(now + Duration::hours(1)), [], "once a day");
    assert_eq!(next_run(&h, None).take_due_reminders(now + Duration::hours(23)), [], "a restart does not say it again");
    assert_eq!(next_run(&h, None).take_due_reminders(now + Duration::hours(25)).len(), 1, "the next day it does");
    // The clock moved back an hour right after that reminder: not said again.
    let after = now + Duration::hours(25);
    assert_eq!(next_run(&h, None).take_due_reminders(after - Duration::hours(1)), [], "a clock moved back an hour");
    // Moved three days ahead: due (more than a day since), said once; then back to real time,
    // it is not said again that day, and is the day after.
    assert_eq!(h.state.take_due_reminders(after + Duration::days(3)).len(), 1, "three days ahead");
    assert_eq!(h.state.take_due_reminders(after + Duration::hours(1)), [], "back from three days ahead");
    assert_eq!(h.state.take_due_reminders(after + Duration::hours(20)), [], "nor later that day");
    assert_eq!(h.state.take_due_reminders(after + Duration::hours(26)).len(), 1, "a day after the clock came back");

    // Reminders off: nothing, even when one is due.
    let settings = h.state.settings();
    let off = Preferences {
        rotation_period_days: settings.rotation_period_days,
        clipboard_clear_seconds: settings.clipboard_clear_seconds,
        idle_lock_minutes: settings.idle_lock_minutes,
        language: settings.language.clone(),
        lock_on_screen_lock: None,
        reminders: Some(false),
    };
    h.state.save_preferences(off).unwrap();
    assert_eq!(next_run(&h, None).take_due_reminders(now + Duration::days(3)), []);
}
