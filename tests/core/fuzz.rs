//! Fuzzing the parsers of everything that comes from outside: the login answer, the key, the
//! regenerate answer, the error body, the JWT payload, the settings file, a history line and a
//! `Retry-After` header (handed to the rollout watch).
//! Structure-aware inputs (JSON with the fields' own names holding odd types and values, and
//! valid samples mutated byte by byte) and raw bytes, from a seeded generator, so a failure
//! can be replayed. Any panic fails, with the input that caused it.
//!
//! `cargo test --test fuzz` runs a few thousand inputs per parser; `make fuzz` runs
//! CERTOPAY_FUZZ_CASES (1,000,000 by default there) and prints the figures.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use certopay_keys::certopay::{parse_error, parse_key_answer, parse_login, parse_regenerated, parse_retry_after, MAX_RETRY_AFTER_S};
use certopay_keys::rules::jwt::Jwt;
use certopay_keys::rules::rollout_watch::{Observation, RolloutWatch, Step};
use certopay_keys::rules::settings::Settings;
use certopay_keys::rules::update_feed::{parse_feed, verify_package, FEED_TARGET};
use certopay_keys::store::history::HistoryEntry;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

/// Every field name the parsers look at, and a few they do not.
const FIELDS: &[&str] = &[
    "accessToken",
    "access_token",
    "token",
    "jwt",
    "expiresIn",
    "exp",
    "sub",
    "email",
    "id",
    "label",
    "keyPrefix",
    "maskedKey",
    "active",
    "rateLimit",
    "lastUsedAt",
    "createdAt",
    "apiKey",
    "key",
    "secret",
    "plainKey",
    "data",
    "statusCode",
    "message",
    "error",
    "code",
    "profiles",
    "selectedProfile",
    "rotationPeriodDays",
    "clipboardClearSeconds",
    "idleLockMinutes",
    "language",
    "name",
    "baseUrl",
    "rememberPassword",
    "lockOnScreenLock",
    "time",
    "profile",
    "oldPrefix",
    "newPrefix",
    "outcome",
    "rollout",
    "kind",
    "seconds",
    "minutes",
    "",
    "__proto__",
];

/// Values a careless or hostile server might send.
const STRINGS: &[&str] = &[
    "",
    "sk_live_a1b2c3d4...",
    "sk_test_",
    "2026-06-26T10:00:00Z",
    "2026-06-26T10:00:00-03:00",
    "2026-13-45T99:99:99Z",
    "+275760-09-13T00:00:00Z",
    "-262144-01-01T00:00:00Z",
    "eyJhbGciOiJIUzI1NiJ9",
    "https://v2.certopaybrasil.com",
    "http://127.0.0.1:1",
    "expired_token",
    "rate_limit_exceeded",
    "insufficient_permissions",
    "rotated",
    "inUseAfter",
    "pt-BR",
    "\u{0}",
    "\u{FEFF}",
    "ção",
    "🔑",
    "a.b.c",
    "..",
    "%00",
    "\\",
    "\"",
];

fn number(rng: &mut StdRng) -> Value {
    match rng.gen_range(0..8) {
        0 => json!(u64::MAX),
        1 => json!(i64::MIN),
        2 => json!(f64::MAX),
        3 => json!(-1.5e300),
        4 => json!(rng.gen::<i64>()),
        5 => json!(rng.gen::<f64>() * 1e12),
        6 => json!(rng.gen_range(0..4_000_000_000u64)),
        _ => json!(0),
    }
}

fn value(rng: &mut StdRng, depth: u32) -> Value {
    let leaf = depth > 4;
    match rng.gen_range(0..if leaf { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.gen::<bool>()),
        2 => number(rng),
        3 => json!(STRINGS[rng.gen_range(0..STRINGS.len())]),
        4 => json!((0..rng.gen_range(0..40)).map(|_| rng.gen::<char>()).collect::<String>()),
        5 => Value::Array((0..rng.gen_range(0..4)).map(|_| value(rng, depth + 1)).collect()),
        _ => object(rng, depth + 1),
    }
}

fn object(rng: &mut StdRng, depth: u32) -> Value {
    let mut map = Map::new();
    for _ in 0..rng.gen_range(0..8) {
        map.insert(FIELDS[rng.gen_range(0..FIELDS.len())].to_string(), value(rng, depth));
    }
    Value::Object(map)
}

/// Valid answers and files, to mutate: the fuzzer starts from what parses.
fn samples() -> Vec<Vec<u8>> {
    let key = json!({"id": "k", "label": "Chave", "keyPrefix": "sk_live_a1b2c3d4...", "maskedKey": "sk_live_a1b2c3d4...••", "active": true,
        "rateLimit": 100, "lastUsedAt": "2026-06-26T10:00:00Z", "createdAt": "2026-06-01T10:00:00Z"});
    let mut regenerate = key.clone();
    regenerate["apiKey"] = json!("sk_live_a1b2c3d4secret");
    let payload = URL_SAFE_NO_PAD.encode(br#"{"exp":1900000000,"sub":"u","email":"a@b.c"}"#);
    let no_exp = URL_SAFE_NO_PAD.encode(br#"{"sub":"u"}"#);
    [
        json!({"accessToken": format!("eyJhbGciOiJIUzI1NiJ9.{payload}.sig"), "expiresIn": 900}),
        json!({"token": format!("eyJhbGciOiJIUzI1NiJ9.{no_exp}.sig"), "expiresIn": 900}),
        key,
        json!({"data": regenerate}),
        json!({"statusCode": 400, "message": ["email must be an email"], "error": "Bad Request", "code": "rate_limit_exceeded"}),
        serde_json::to_value(Settings::default()).unwrap(),
        json!({"time": "2026-11-29T16:29:00Z", "profile": "P", "email": "a@b.c", "oldPrefix": "sk_live_x...", "newPrefix": null,
            "outcome": "rotated", "rollout": {"kind": "inUseAfter", "seconds": 192}}),
        json!({"version": "v0.2.0", "notes": "Fixes", "pub_date": "2026-12-01T10:00:00Z",
            "platforms": {"windows-x86_64": {"url": "https://u.example/s.exe", "signature": "dW50cnVzdGVk"}}}),
        json!(UPDATE_SIGNATURE),
    ]
    .iter()
    .map(|v| v.to_string().into_bytes())
    .collect()
}

fn mutate(rng: &mut StdRng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..rng.gen_range(1..6) {
        if bytes.is_empty() {
            bytes.push(rng.gen());
            continue;
        }
        let at = rng.gen_range(0..bytes.len());
        const JSON_BYTES: &[u8] = b"{}[]\",:0-e.\\u";
        match rng.gen_range(0..5) {
            0 => bytes[at] = rng.gen(),
            1 => bytes.truncate(at),
            2 => bytes.insert(at, JSON_BYTES[rng.gen_range(0..JSON_BYTES.len())]),
            3 => drop(bytes.remove(at)),
            _ => {
                let end = rng.gen_range(at..bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
        }
    }
    bytes
}

/// A sample with one field, at any depth, given another value: valid in shape, odd in content.
fn replace_a_field(rng: &mut StdRng, sample: &[u8]) -> Vec<u8> {
    let mut document: Value = serde_json::from_slice(sample).expect("samples are JSON");
    let mut at = &mut document;
    while let Some(object) = at.as_object_mut().filter(|o| !o.is_empty()) {
        let key = object.keys().nth(rng.gen_range(0..object.len())).unwrap().clone();
        let inner = object.get_mut(&key).unwrap();
        if inner.is_object() && rng.gen_bool(0.5) {
            at = inner;
        } else {
            *inner = value(rng, 3);
            break;
        }
    }
    document.to_string().into_bytes()
}

/// One input: structured JSON, a sample with a field replaced or its bytes mutated, or raw bytes.
fn input(rng: &mut StdRng, samples: &[Vec<u8>]) -> Vec<u8> {
    match rng.gen_range(0..12) {
        0..=2 => object(rng, 0).to_string().into_bytes(),
        3..=5 => {
            let sample = &samples[rng.gen_range(0..samples.len())];
            replace_a_field(rng, sample)
        }
        6..=9 => {
            let sample = samples[rng.gen_range(0..samples.len())].clone();
            mutate(rng, sample)
        }
        10 => value(rng, 0).to_string().into_bytes(),
        _ => (0..rng.gen_range(0..64)).map(|_| rng.gen()).collect(),
    }
}

type Parser = (&'static str, fn(&[u8]) -> bool);

/// Each parser, taking bytes and saying whether it accepted them.
const PARSERS: &[Parser] = &[
    ("login answer", |b| parse_login(b, chrono::Utc::now()).is_ok()),
    ("key", |b| parse_key_answer(b).is_ok()),
    ("regenerate answer", |b| parse_regenerated(b).is_ok()),
    ("error body", |b| !matches!(parse_error(400, b), certopay_keys::rules::app_error::AppError::Unexpected { .. })),
    ("JWT payload", |b| Jwt::new(format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", URL_SAFE_NO_PAD.encode(b))).claims().is_ok()),
    ("settings file", |b| Settings::parse(b).is_some()),
    ("history line", |b| HistoryEntry::parse(&String::from_utf8_lossy(b)).is_some()),
    ("Retry-After in the watch", retry_after_in_the_watch),
    ("update feed", |b| parse_feed(b, FEED_TARGET).is_ok()),
    ("update signature", update_signature),
];

/// A minisign signature file's shape (Tauri's signer writes it; the feed carries it in base64).
const UPDATE_SIGNATURE: &str = "untrusted comment: signature from tauri secret key\nRUSWl8h83rC8jZLvpHUeC3Lb+Rn6bK/P7SxKVigiS+Ug7pWJvkKuncxTri1hK8NWvmQV4O3wKQK83EeL1UzUBfmNihpSvHM0VAo=\ntrusted comment: timestamp:1796523278\tfile:pkg.exe\tversion:0.2.0\nylNMnNL9R/rm1yjZ1O0AY0NYLARJeEKk4Mr8NdiReLT91hbzPvrKrJ8eQriYmSJwGfmjVZmofkdSe5yOZ3K1BQ==\n";

/// Bytes taken as a signature file's text, checked against a package with a well-formed key:
/// refused, never a panic (none of them was made with that key).
fn update_signature(bytes: &[u8]) -> bool {
    let encode = |text: &[u8]| base64::engine::general_purpose::STANDARD.encode(text);
    let raw: Vec<u8> = b"Ed".iter().copied().chain(1..=8).chain([7u8; 32]).collect();
    let key = encode(format!("untrusted comment: minisign public key\n{}\n", encode(&raw)).as_bytes());
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_matches('"').replace("\\n", "\n").replace("\\t", "\t");
    verify_package(&key, &encode(text.as_bytes()), b"package", &semver::Version::new(0, 2, 0)).is_ok()
}

/// A `Retry-After` header's value, parsed and handed to the rollout watch as a 429 would be:
/// half the inputs as they come, half as numbers of any size, sign and shape.
fn retry_after_in_the_watch(bytes: &[u8]) -> bool {
    let text = match bytes.first() {
        Some(first) if first % 2 == 0 => {
            let mut eight = [0u8; 8];
            for (slot, byte) in eight.iter_mut().zip(bytes.iter().skip(1)) {
                *slot = *byte;
            }
            let n = u64::from_le_bytes(eight);
            match bytes.len() % 5 {
                0 => n.to_string(),
                1 => format!("-{n}"),
                2 => format!("{n}e99"),
                3 => format!("{n}{n}{n}"),
                _ => u64::MAX.to_string(),
            }
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    };
    let seconds = parse_retry_after(&text);
    assert!(seconds.is_none_or(|s| s <= MAX_RETRY_AFTER_S), "{text:?} gave {seconds:?}");
    let now = Instant::now();
    let mut watch = RolloutWatch::new("new", chrono::Utc::now(), now);
    watch.observe(now, Observation::RateLimited { retry_after: seconds.map(Duration::from_secs) });
    assert!(!matches!(watch.step(now), Step::Read), "a 429 is waited out");
    seconds.is_some()
}

#[test]
fn the_parsers_survive_anything() {
    let cases: u64 = std::env::var("CERTOPAY_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(3000);
    let seed: u64 = std::env::var("CERTOPAY_FUZZ_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(20261129);
    let samples = samples();
    println!("| parser | inputs | accepted | seconds |");
    for (i, (name, parse)) in PARSERS.iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(seed + i as u64);
        let started = Instant::now();
        let mut accepted = 0u64;
        for case in 0..cases {
            let bytes = input(&mut rng, &samples);
            match catch_unwind(AssertUnwindSafe(|| parse(&bytes))) {
                Ok(ok) => accepted += u64::from(ok),
                Err(cause) => {
                    let why = cause.downcast_ref::<String>().cloned().or_else(|| cause.downcast_ref::<&str>().map(|s| s.to_string()));
                    panic!(
                        "{name} panicked ({}) on case {case} (seed {seed}) with input {:?}",
                        why.unwrap_or_default(),
                        String::from_utf8_lossy(&bytes)
                    );
                }
            }
        }
        println!("| {name} | {cases} | {accepted} | {:.1} |", started.elapsed().as_secs_f64());
    }
}
