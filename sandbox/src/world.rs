//! The sandbox's accounts and keys, held in memory. Only a hash of each secret is kept.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};
use rand::distributions::Alphanumeric;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The password of every seeded account: a sandbox is for showing, not for guarding.
pub const DEMO_PASSWORD: &str = "certopay-demo";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    Live,
    Test,
}

pub struct User {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub merchant: usize,
    /// What a newcomer is told this account shows.
    pub shows: &'static str,
}

pub struct Key {
    pub id: String,
    pub label: String,
    pub mode: KeyMode,
    /// First 16 characters of the secret (`sk_live_` + 8) followed by `...`.
    pub prefix: String,
    pub secret_sha256: [u8; 32],
    pub active: bool,
    pub rate_limit: u32,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Requests made with this key inside the rolling window.
    pub window: VecDeque<Instant>,
    /// When it was issued and first accepted, to the millisecond (the timestamps the API
    /// serves are whole seconds): the outage a rotation caused, for `make bench`.
    pub issued: Instant,
    /// The same moment by the wall clock, to compare with the times files were written.
    pub issued_wall: std::time::SystemTime,
    pub first_used: Option<Instant>,
    /// When each shop that named itself first used it (`make bench`'s several shops).
    pub first_used_by: std::collections::BTreeMap<String, Instant>,
}

impl Key {
    pub fn metadata(&self) -> Value {
        json!({
            "id": self.id,
            "label": self.label,
            "keyPrefix": self.prefix,
            "maskedKey": format!("{}••••••••••", self.prefix),
            "active": self.active,
            "rateLimit": self.rate_limit,
            "lastUsedAt": self.last_used_at.map(timestamp),
            "createdAt": timestamp(self.created_at),
        })
    }
}

pub struct Merchant {
    pub key: Option<Key>,
    /// Management requests (JWT) of this account inside the rolling window.
    pub window: VecDeque<Instant>,
}

impl Merchant {
    /// The account's limit, which is its key's; 100 per minute where it has none.
    pub fn rate_limit(&self) -> u32 {
        self.key.as_ref().map_or(100, |k| k.rate_limit)
    }
}

pub struct World {
    pub users: Vec<User>,
    pub merchants: Vec<Merchant>,
    pub rng: StdRng,
    pub jwt_key: Vec<u8>,
    pub rate_window: Duration,
    /// How far behind real time this server's clock is (`Options::clock_behind`).
    pub clock_behind: Duration,
    /// `Options::fast_clock`.
    pub fast_clock: Option<crate::FastClock>,
}

impl World {
    /// The time on this server's clock (before `clock_behind`).
    pub fn now(&self) -> DateTime<Utc> {
        self.fast_clock.map_or_else(Utc::now, |clock| clock.now())
    }
}

pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

struct Seed {
    email: &'static str,
    role: Role,
    merchant: usize,
    shows: &'static str,
}

#[derive(Clone, Copy)]
struct KeySeed {
    mode: KeyMode,
    label: &'static str,
    active: bool,
    rate_limit: u32,
    used_minutes_ago: Option<i64>,
    age_days: i64,
}

const fn seed(
    mode: KeyMode,
    label: &'static str,
    active: bool,
    rate_limit: u32,
    used_minutes_ago: Option<i64>,
    age_days: i64,
) -> Option<KeySeed> {
    Some(KeySeed { mode, label, active, rate_limit, used_minutes_ago, age_days })
}

/// One merchant account each; `None` has no key.
const MERCHANTS: &[Option<KeySeed>] = &[
    seed(KeyMode::Live, "Chave principal", true, 100, Some(4), 120),
    seed(KeyMode::Test, "Homologação", true, 100, Some(180), 20),
    seed(KeyMode::Live, "Chave antiga", false, 100, Some(43_200), 200),
    seed(KeyMode::Test, "", true, 100, None, 2),
    seed(KeyMode::Test, "Chave limitada", true, 5, Some(1_440), 45),
    None,
];

const USERS: &[Seed] = &[
    Seed {
        email: "admin@live.example",
        role: Role::Admin,
        merchant: 0,
        shows: "a LIVE key, last used minutes ago, past the 90-day rotation period",
    },
    Seed { email: "viewer@live.example", role: Role::Viewer, merchant: 0, shows: "the same LIVE key, read-only: rotation gets 403" },
    Seed { email: "admin@test.example", role: Role::Admin, merchant: 1, shows: "a TEST key" },
    Seed { email: "admin@inactive.example", role: Role::Admin, merchant: 2, shows: "an inactive key (requests with it get 401)" },
    Seed { email: "admin@unused.example", role: Role::Admin, merchant: 3, shows: "a TEST key never used, with no label" },
    Seed { email: "admin@limited.example", role: Role::Admin, merchant: 4, shows: "a TEST key limited to 5 requests per minute" },
    Seed { email: "admin@nokey.example", role: Role::Admin, merchant: 5, shows: "an account with no API key (404)" },
];

impl World {
    pub fn seeded(seed: Option<u64>, rate_window: Duration) -> World {
        let mut rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        let now = Utc::now().trunc_subsecs(0);
        let mut jwt_key = vec![0u8; 32];
        rng.fill(&mut jwt_key[..]);
        let mut merchants = Vec::new();
        for m in MERCHANTS {
            let key = m.map(|k| {
                // The seeded secret is never handed out: only its hash exists.
                let (mut key, _secret) = new_key(&mut rng, k.mode, k.label, k.rate_limit, now - chrono::Duration::days(k.age_days));
                key.active = k.active;
                key.last_used_at = k.used_minutes_ago.map(|m| now - chrono::Duration::minutes(m));
                key
            });
            merchants.push(Merchant { key, window: VecDeque::new() });
        }
        let users = USERS
            .iter()
            .map(|u| User { id: uuid(&mut rng), email: u.email.to_string(), role: u.role, merchant: u.merchant, shows: u.shows })
            .collect();
        World { users, merchants, rng, jwt_key, rate_window, clock_behind: Duration::ZERO, fast_clock: None }
    }
}

pub fn uuid(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid().to_string()
}

/// A fresh key and its secret. The caller hands the secret out once and keeps only the key.
pub fn new_key(rng: &mut StdRng, mode: KeyMode, label: &str, rate_limit: u32, created_at: DateTime<Utc>) -> (Key, String) {
    let random: String = (0..40).map(|_| rng.sample(Alphanumeric) as char).collect();
    let secret = match mode {
        KeyMode::Live => format!("sk_live_{random}"),
        KeyMode::Test => format!("sk_test_{random}"),
    };
    let key = Key {
        id: uuid(rng),
        label: label.to_string(),
        mode,
        prefix: format!("{}...", &secret[..16]),
        secret_sha256: sha256(&secret),
        active: true,
        rate_limit,
        last_used_at: None,
        created_at,
        window: VecDeque::new(),
        issued: Instant::now(),
        issued_wall: std::time::SystemTime::now(),
        first_used: None,
        first_used_by: Default::default(),
    };
    (key, secret)
}

/// Admits one request into a rolling window, or says in whole seconds (at least 1) when the
/// oldest counted request leaves it.
pub fn admit(window: &mut VecDeque<Instant>, limit: u32, length: Duration, now: Instant) -> Result<(), u64> {
    while window.front().is_some_and(|t| now.duration_since(*t) >= length) {
        window.pop_front();
    }
    if window.len() < limit as usize {
        window.push_back(now);
        return Ok(());
    }
    let oldest = *window.front().expect("a full window has an oldest entry");
    let wait = length.saturating_sub(now.duration_since(oldest));
    let whole_seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Err(whole_seconds.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_and_reports_when_the_oldest_leaves() {
        let mut w = VecDeque::new();
        let t0 = Instant::now();
        let len = Duration::from_secs(60);
        for i in 0..3 {
            assert_eq!(admit(&mut w, 3, len, t0 + Duration::from_millis(i * 100)), Ok(()));
        }
        assert_eq!(admit(&mut w, 3, len, t0 + Duration::from_millis(500)), Err(60));
        assert_eq!(admit(&mut w, 3, len, t0 + Duration::from_millis(59_500)), Err(1));
        assert_eq!(admit(&mut w, 3, len, t0 + Duration::from_secs(60)), Ok(()));
    }

    #[test]
    fn seeded_keys_are_deterministic() {
        let a = World::seeded(Some(7), Duration::from_secs(60));
        let b = World::seeded(Some(7), Duration::from_secs(60));
        let pa: Vec<_> = a.merchants.iter().filter_map(|m| m.key.as_ref().map(|k| k.prefix.clone())).collect();
        let pb: Vec<_> = b.merchants.iter().filter_map(|m| m.key.as_ref().map(|k| k.prefix.clone())).collect();
        assert_eq!(pa, pb);
        assert!(pa[0].starts_with("sk_live_") && pa[0].len() == 19);
    }
}
