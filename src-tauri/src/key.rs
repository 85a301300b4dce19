//! The API key as the server describes it, and what follows from its prefix. Plain Rust:
//! shared by the client, the rotation guard and the window's views.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::AppError;

/// The key's metadata as the server sent it. `key_prefix` and `masked_key` are shown exactly
/// as received, never rebuilt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKey {
    pub id: String,
    pub label: String,
    pub key_prefix: String,
    pub masked_key: Option<String>,
    pub active: bool,
    pub rate_limit: Option<u64>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
}

/// LIVE or TEST, read from the prefix; anything else is shown as an unknown type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyMode {
    Live,
    Test,
    Unknown,
}

impl KeyMode {
    pub fn of(prefix: &str) -> KeyMode {
        if prefix.starts_with("sk_live_") {
            KeyMode::Live
        } else if prefix.starts_with("sk_test_") {
            KeyMode::Test
        } else {
            KeyMode::Unknown
        }
    }
}

/// The prefix as typed: without the trailing `...` the API shows.
pub fn bare_prefix(prefix: &str) -> &str {
    prefix.trim_end_matches('.').trim_end_matches('…')
}

/// Reads key metadata: unknown fields ignored, `label` and `lastUsedAt` may be null or absent,
/// timestamps with `Z` or an offset.
pub fn parse_key(object: &Map<String, Value>) -> Result<ApiKey, AppError> {
    let malformed = |detail: &str| AppError::Malformed { detail: detail.to_string() };
    let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_string);
    let time = |name: &str| -> Result<Option<DateTime<Utc>>, AppError> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| malformed(&format!("{name} is not an ISO 8601 time"))),
            Some(_) => Err(malformed(&format!("{name} is not a time"))),
        }
    };
    let key_prefix = text("keyPrefix").ok_or_else(|| malformed("the key has no keyPrefix"))?;
    let id = match object.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(malformed("the key has no id")),
    };
    Ok(ApiKey {
        id,
        label: text("label").unwrap_or_default(),
        masked_key: text("maskedKey"),
        key_prefix,
        active: object.get("active").and_then(Value::as_bool).unwrap_or(true),
        rate_limit: object.get("rateLimit").and_then(Value::as_u64),
        last_used_at: time("lastUsedAt")?,
        created_at: time("createdAt")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_parsing_tolerates_nulls_offsets_and_unknown_fields() {
        let value = json!({
            "id": "k1", "label": null, "keyPrefix": "sk_test_a1b2c3d4...", "active": false,
            "lastUsedAt": null, "createdAt": "2026-06-01T07:00:00-03:00", "future": {"x": 1}
        });
        let key = parse_key(value.as_object().unwrap()).unwrap();
        assert_eq!(key.label, "");
        assert_eq!(key.masked_key, None);
        assert!(!key.active);
        assert_eq!(key.rate_limit, None);
        assert_eq!(key.last_used_at, None);
        assert_eq!(key.created_at, Some("2026-06-01T10:00:00Z".parse().unwrap()));
    }

    #[test]
    fn mode_comes_from_the_prefix() {
        assert_eq!(KeyMode::of("sk_live_a1b2c3d4..."), KeyMode::Live);
        assert_eq!(KeyMode::of("sk_test_a1b2c3d4..."), KeyMode::Test);
        assert_eq!(KeyMode::of("pk_live_x"), KeyMode::Unknown);
        assert_eq!(serde_json::to_value(KeyMode::Live).unwrap(), "live");
        assert_eq!(bare_prefix("sk_live_a1b2c3d4..."), "sk_live_a1b2c3d4");
    }
}
