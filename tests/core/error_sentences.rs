//! Every error the window can be sent has its own sentence in both languages: one example of
//! each kind, and of each reason a kind carries, goes through ui/errors.js in Node (the window's
//! own code, `error_sentences.mjs`), and none may come out as a fallback ("Something went
//! wrong", "Check the field …", a raw key, or English inside Portuguese).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use certopay_keys::rules::app_error::{AppError, CertificateProblem, ConfirmationRefusal, InputField, ProxyProblem, UpdateWait};
use certopay_keys::rules::delivery_failure::{DeliveryFailure, EnvFileProblem, KeptAttribute};
use certopay_keys::wire::WireError;

use crate::support::catalogue::catalogue;

/// How many kinds `AppError` has: `kind_number` numbers them all, with no catch-all, so a new
/// kind does not compile until it is numbered, and is not covered until it has an example.
const KINDS: usize = 35;

fn kind_number(error: &AppError) -> usize {
    match error {
        AppError::InvalidCredentials => 0,
        AppError::UpdateWaits { .. } => 1,
        AppError::UpdatesTurnedOff => 2,
        AppError::NoUpdate => 3,
        AppError::UpdateFailed { .. } => 4,
        AppError::SessionEnded => 5,
        AppError::NotLoggedIn => 6,
        AppError::WrongPasswordsEndedSession => 7,
        AppError::RememberedPasswordHeld => 8,
        AppError::ClockAhead { .. } => 9,
        AppError::Forbidden => 10,
        AppError::NoKey => 11,
        AppError::RateLimited { .. } => 12,
        AppError::BadRequest { .. } => 13,
        AppError::Network { .. } => 14,
        AppError::Certificate { .. } => 15,
        AppError::NameNotFound { .. } => 16,
        AppError::Proxy { .. } => 17,
        AppError::ConnectionRefused { .. } => 18,
        AppError::Server { .. } => 19,
        AppError::Malformed { .. } => 20,
        AppError::Unexpected { .. } => 21,
        AppError::InvalidInput { .. } => 22,
        AppError::Settings { .. } => 23,
        AppError::Keychain { .. } => 24,
        AppError::ExportFailed { .. } => 25,
        AppError::Clipboard { .. } => 26,
        AppError::Confirmation { .. } => 27,
        AppError::RotationOutcomeUnknown { .. } => 28,
        AppError::RotationOutcomeUnreadable { .. } => 29,
        AppError::SessionEndsTooSoon { .. } => 30,
        AppError::RotationInProgress => 31,
        AppError::RotatedWithoutSecret => 32,
        AppError::DeliveryNotReady { .. } => 33,
        AppError::RotatedClipboardFailed { .. } => 34,
    }
}

/// Each reason of the enums an error carries.
struct Reasons {
    waits: Vec<UpdateWait>,
    certificates: Vec<CertificateProblem>,
    proxies: Vec<ProxyProblem>,
    refusals: Vec<ConfirmationRefusal>,
    failures: Vec<DeliveryFailure>,
}

/// Every reason; the matches have no catch-all: a new reason does not compile until it is
/// listed here.
fn every_reason() -> Reasons {
    let waits = [UpdateWait::Rotation, UpdateWait::Clipboard];
    for w in waits {
        match w {
            UpdateWait::Rotation | UpdateWait::Clipboard => {}
        }
    }
    use CertificateProblem as C;
    let certificates = [C::Untrusted, C::WrongName, C::Expired, C::NotYetValid, C::Other];
    for c in certificates {
        match c {
            C::Untrusted | C::WrongName | C::Expired | C::NotYetValid | C::Other => {}
        }
    }
    let proxies = [ProxyProblem::AuthRequired, ProxyProblem::Refused, ProxyProblem::Unreachable];
    for p in proxies {
        match p {
            ProxyProblem::AuthRequired | ProxyProblem::Refused | ProxyProblem::Unreachable => {}
        }
    }
    use ConfirmationRefusal as R;
    let refusals = [R::Missing, R::Expired, R::Used, R::OtherKey, R::TypedTextMismatch, R::PasswordRequired, R::PasswordMismatch];
    for r in refusals {
        match r {
            R::Missing | R::Expired | R::Used | R::OtherKey | R::TypedTextMismatch | R::PasswordRequired | R::PasswordMismatch => {}
        }
    }
    use DeliveryFailure as F;
    let mut failures = vec![
        F::NotFound { program: "deploy-key".into() },
        F::Exited { code: 3 },
        F::Killed { signal: 9 },
        F::BatchFile,
        F::TimedOut { seconds: 30 },
        F::LeftUnread { bytes: 12 },
        F::ImplausibleKey,
        F::Failed { detail: String::new() },
    ];
    for what in [KeptAttribute::Owner, KeptAttribute::Group, KeptAttribute::Mode] {
        failures.push(F::CannotKeep { what });
    }
    for problem in [EnvFileProblem::BadName, EnvFileProblem::Missing, EnvFileProblem::Repeated] {
        failures.push(F::EnvFile { problem });
    }
    for f in &failures {
        match f {
            F::NotFound { .. } | F::Exited { .. } | F::Killed { .. } | F::BatchFile | F::TimedOut { .. } | F::LeftUnread { .. } => {}
            F::ImplausibleKey | F::Failed { .. } => {}
            F::CannotKeep { what: KeptAttribute::Owner | KeptAttribute::Group | KeptAttribute::Mode } => {}
            F::EnvFile { problem: EnvFileProblem::BadName | EnvFileProblem::Missing | EnvFileProblem::Repeated } => {}
        }
    }
    Reasons { waits: waits.to_vec(), certificates: certificates.to_vec(), proxies: proxies.to_vec(), refusals: refusals.to_vec(), failures }
}

/// One error of each kind, and of each reason and each way the window words it.
fn examples() -> Vec<AppError> {
    let detail = || "what the system said".to_string();
    let Reasons { waits, certificates, proxies, refusals, failures } = every_reason();
    let mut all = vec![
        AppError::InvalidCredentials,
        AppError::UpdatesTurnedOff,
        AppError::NoUpdate,
        AppError::UpdateFailed { detail: detail() },
        AppError::SessionEnded,
        AppError::NotLoggedIn,
        AppError::WrongPasswordsEndedSession,
        AppError::RememberedPasswordHeld,
        AppError::ClockAhead { minutes: 7 },
        AppError::Forbidden,
        AppError::NoKey,
        AppError::RateLimited { retry_after_s: Some(30) },
        AppError::RateLimited { retry_after_s: None },
        AppError::BadRequest { messages: vec!["email must be an email".into()] },
        AppError::Network { detail: detail(), timed_out: false },
        AppError::Network { detail: detail(), timed_out: true },
        AppError::NameNotFound { detail: detail() },
        AppError::ConnectionRefused { detail: detail() },
        AppError::Server { status: 503 },
        AppError::Malformed { detail: detail() },
        AppError::Unexpected { status: 418 },
        AppError::Settings { detail: detail() },
        AppError::Keychain { detail: detail() },
        AppError::ExportFailed { path: "/home/ana/rotations.csv".into(), detail: detail() },
        AppError::Clipboard { detail: detail() },
        AppError::RotationOutcomeUnreadable { status: Some(500) },
        AppError::RotationOutcomeUnreadable { status: None },
        AppError::SessionEndsTooSoon { left_s: 40, needed_s: 90, renewable: true },
        AppError::SessionEndsTooSoon { left_s: 40, needed_s: 90, renewable: false },
        AppError::RotationInProgress,
        AppError::RotatedWithoutSecret,
        AppError::RotatedClipboardFailed { detail: detail() },
    ];
    for rotated in [true, false] {
        for status in [Some(502), None] {
            for checks in [1, 3] {
                all.push(AppError::RotationOutcomeUnknown { rotated, status, checks, checked_for_s: 20 });
            }
        }
    }
    all.extend(waits.into_iter().map(|reason| AppError::UpdateWaits { reason }));
    all.extend(certificates.into_iter().map(|problem| AppError::Certificate { problem, detail: detail() }));
    all.extend(proxies.into_iter().map(|problem| AppError::Proxy { problem, detail: detail() }));
    all.extend(refusals.into_iter().map(|reason| AppError::Confirmation { reason }));
    all.extend(failures.into_iter().map(|failure| AppError::DeliveryNotReady {
        name: "Servidor da loja".into(),
        failure,
        output: String::new(),
    }));
    for field in InputField::ALL {
        all.extend(field.problems().iter().map(|reason| AppError::invalid(field, *reason)));
    }
    all
}

#[test]
fn the_examples_cover_every_kind() {
    let covered: BTreeSet<usize> = examples().iter().map(kind_number).collect();
    let missing: Vec<usize> = (0..KINDS).filter(|k| !covered.contains(k)).collect();
    assert!(missing.is_empty(), "kinds with no example (kind_number): {missing:?}");
}

/// Every field and reason Rust gives an `InvalidInput` has its sentence in both catalogues (the
/// window would otherwise fall back to "Check the field …").
#[test]
fn every_invalid_input_rust_writes_has_its_sentence_in_both_languages() {
    let name = |value: serde_json::Value| value.as_str().unwrap().to_string();
    let keys: Vec<String> = InputField::ALL
        .iter()
        .flat_map(|field| {
            field.problems().iter().map(move |reason| {
                format!("invalid.{}.{}", name(serde_json::to_value(field).unwrap()), name(serde_json::to_value(reason).unwrap()))
            })
        })
        .collect();
    assert!(keys.len() > 20, "{keys:?}");
    for language in ["en.js", "pt-BR.js"] {
        let sentences = catalogue(language);
        let missing: Vec<&String> = keys.iter().filter(|key| !sentences.contains_key(*key)).collect();
        assert!(missing.is_empty(), "{language} has no sentence for {missing:?}");
    }
    // The refusals Rust builds by hand name only pairs listed in `problems`: `AppError::invalid`
    // is the one way to build one outside the rules' own tests.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src");
    for file in crate::support::source_files::files_with_extension(&root, "rs") {
        let code = std::fs::read_to_string(&file).unwrap();
        if file.ends_with("rules/app_error.rs") {
            continue; // where the kind and `AppError::invalid` are
        }
        assert!(!code.contains("InvalidInput { field:"), "{}: builds an InvalidInput without AppError::invalid", file.display());
    }
}

#[test]
fn every_error_kind_and_reason_has_its_sentence_in_both_languages() {
    let wire: Vec<WireError> = examples().into_iter().map(WireError).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The window's modules as Node reads ES modules: in a folder whose package.json says so.
    let ui = tempfile::tempdir().unwrap();
    std::fs::create_dir(ui.path().join("catalogues")).unwrap();
    for module in ["errors.js", "i18n.js", "catalogues/en.js", "catalogues/pt-BR.js"] {
        std::fs::copy(root.join("ui").join(module), ui.path().join(module)).unwrap();
    }
    std::fs::write(ui.path().join("package.json"), r#"{"type": "module"}"#).unwrap();
    let mut node = Command::new("node")
        .arg(root.join("tests/core/error_sentences.mjs"))
        .arg(ui.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (the test command installs Node.js)");
    node.stdin.take().unwrap().write_all(serde_json::to_string(&wire).unwrap().as_bytes()).unwrap();
    let output = node.wait_with_output().unwrap();
    assert!(output.status.success(), "node: {}", String::from_utf8_lossy(&output.stderr));
    let fallbacks: Vec<String> =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stdout)));
    assert!(fallbacks.is_empty(), "said with a fallback, not its own sentence:\n{}", fallbacks.join("\n"));
}
