//! An update feed read and an update checked: Tauri's `latest.json` (its static format), its
//! versions compared, and a package checked against the project's updater key with Tauri's
//! minisign signatures (as `tauri signer` makes them). Plain Rust: the caller fetches.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The feed's entry for the one system that updates itself: the Windows NSIS install.
pub const FEED_TARGET: &str = "windows-x86_64";

/// A feed or package larger than this is not read (the installer is ~10 MB).
pub const MAX_PACKAGE_BYTES: usize = 200 * 1024 * 1024;
pub const MAX_FEED_BYTES: usize = 256 * 1024;

/// The release a feed offers for this system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRelease {
    pub version: semver::Version,
    pub notes: String,
    pub url: url::Url,
    /// Tauri's form: the minisign signature file's text, base64-encoded.
    pub signature: String,
}

/// Why an update was not offered, as the window says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum UpdateProblem {
    /// The feed could not be fetched (the network, the proxy, its certificate, its status).
    Unreachable { detail: String },
    /// The feed is not a feed this app reads.
    FeedUnreadable { detail: String },
    /// The feed names no package for this system, or an address that is not https.
    NoPackage,
    /// The package was signed with a key this app does not trust.
    OtherKey,
    /// The package does not match its signature (changed after signing, or cut short).
    Tampered,
    /// The signature itself is not a minisign signature.
    SignatureUnreadable,
    /// The signature is for another version than the feed announces (or names none): a feed
    /// pairing a new number with an older signed package, which would be a downgrade.
    SignedForAnotherVersion { signed: Option<String>, announced: String },
    /// The signature names another file than this app's installer for that version (or none):
    /// a signed file of ours that is not the installer, passed off as one.
    SignedForAnotherFile { signed: Option<String>, expected: String },
}

/// The name of this app's Windows installer for `version`, as `make windows` makes it and its
/// signature names it.
pub fn installer_file_name(version: &semver::Version) -> String {
    format!("CertoPay-Keys_{version}_x64-setup.exe")
}

/// What the last check found, as kept and as Settings → About says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum UpdateOutcome {
    /// The feed's version is this one or older: nothing is offered (never a downgrade).
    UpToDate {
        feed_version: String,
    },
    /// A newer version, downloaded and its signature verified: offered in the window.
    Available {
        version: String,
        notes: String,
    },
    Refused {
        problem: UpdateProblem,
    },
}

/// A check and when it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCheck {
    pub checked_at: DateTime<Utc>,
    pub outcome: UpdateOutcome,
}

#[derive(Deserialize)]
struct FeedPlatform {
    url: String,
    signature: String,
}

#[derive(Deserialize)]
struct Feed {
    version: String,
    #[serde(default)]
    notes: Option<String>,
    platforms: std::collections::HashMap<String, FeedPlatform>,
}

/// Reads a feed and its release for `target`. Its version may start with "v", as Tauri's does.
pub fn parse_feed(bytes: &[u8], target: &str) -> Result<FeedRelease, UpdateProblem> {
    let unreadable = |detail: String| UpdateProblem::FeedUnreadable { detail };
    let feed: Feed = serde_json::from_slice(bytes).map_err(|e| unreadable(format!("not an update feed: {e}")))?;
    let version = semver::Version::parse(feed.version.trim().trim_start_matches('v'))
        .map_err(|e| unreadable(format!("version {:?}: {e}", feed.version)))?;
    let platform = feed.platforms.get(target).ok_or(UpdateProblem::NoPackage)?;
    let url = url::Url::parse(&platform.url).map_err(|_| UpdateProblem::NoPackage)?;
    // The package comes over TLS or not at all, even though its signature is checked.
    if url.scheme() != "https" {
        return Err(UpdateProblem::NoPackage);
    }
    // Notes are shown as text; a feed's essay is cut to what the window has room for.
    let notes: String = feed.notes.unwrap_or_default().trim().chars().take(600).collect();
    Ok(FeedRelease { version, notes, url, signature: platform.signature.trim().to_string() })
}

/// True only for a version above `current`: the same or an older one is never offered.
pub fn is_newer(current: &str, release: &FeedRelease) -> bool {
    match semver::Version::parse(current) {
        Ok(current) => release.version > current,
        Err(_) => false,
    }
}

/// Checks `package` against `signature` (Tauri's base64 of a minisign signature file) with the
/// updater's public key (Tauri's base64 of a minisign public key file), and that the signature
/// was made for `version` (`tauri signer sign --app-version`) and for this app's installer of
/// that version (its `file:`), both in its trusted comment, which the signature covers.
pub fn verify_package(public_key: &str, signature: &str, package: &[u8], version: &semver::Version) -> Result<(), UpdateProblem> {
    use minisign_verify::{Error, PublicKey, Signature};
    let text = |b64: &str| -> Option<String> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
        String::from_utf8(bytes).ok()
    };
    // The key is built into the app: one that does not decode trusts nothing.
    let key = text(public_key).and_then(|t| PublicKey::decode(&t).ok()).ok_or(UpdateProblem::OtherKey)?;
    let signature = text(signature).and_then(|t| Signature::decode(&t).ok()).ok_or(UpdateProblem::SignatureUnreadable)?;
    match key.verify(package, &signature, true) {
        Ok(()) => {}
        Err(Error::UnexpectedKeyId) => return Err(UpdateProblem::OtherKey),
        Err(Error::InvalidSignature) => return Err(UpdateProblem::Tampered),
        Err(_) => return Err(UpdateProblem::SignatureUnreadable),
    }
    let signed = comment_field(signature.trusted_comment(), "version");
    if signed.as_deref() != Some(version.to_string().as_str()) {
        return Err(UpdateProblem::SignedForAnotherVersion { signed, announced: version.to_string() });
    }
    let expected = installer_file_name(version);
    let file = comment_field(signature.trusted_comment(), "file");
    if file.as_deref() != Some(expected.as_str()) {
        return Err(UpdateProblem::SignedForAnotherFile { signed: file, expected });
    }
    Ok(())
}

/// A field of a trusted comment ("timestamp:…\tfile:…\tversion:0.2.0").
fn comment_field(trusted_comment: &str, name: &str) -> Option<String> {
    let prefix = format!("{name}:");
    trusted_comment.split('\t').find_map(|field| field.strip_prefix(prefix.as_str())).map(|v| v.trim().to_string())
}

/// Whether the feed is asked again now: at most once a day, but an hour after a check that
/// could not reach it (a laptop that started offline).
pub fn check_due(last: Option<&UpdateCheck>, now: DateTime<Utc>) -> bool {
    let Some(last) = last else { return true };
    let wait = match &last.outcome {
        UpdateOutcome::Refused { problem: UpdateProblem::Unreachable { .. } } => Duration::hours(1),
        _ => Duration::hours(24),
    };
    // A check "in the future" (the clock was moved back) does not silence checks for ever.
    now < last.checked_at || now.signed_duration_since(last.checked_at) >= wait
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(version: &str, url: &str) -> Vec<u8> {
        serde_json::json!({
            "version": version,
            "notes": "Fixes the rollout watch.",
            "pub_date": "2026-12-01T10:00:00Z",
            "platforms": { "windows-x86_64": { "url": url, "signature": "c2ln" }, "linux-x86_64": { "url": "https://x/y", "signature": "" } }
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn a_feed_gives_this_systems_release_over_https_only() {
        let release = parse_feed(&feed("v0.2.0", "https://updates.example/CertoPay-Keys-0.2.0-setup.exe"), FEED_TARGET).unwrap();
        assert_eq!(release.version, semver::Version::new(0, 2, 0));
        assert_eq!(release.notes, "Fixes the rollout watch.");
        assert_eq!(release.signature, "c2ln");
        assert_eq!(parse_feed(&feed("0.2.0", "http://updates.example/x.exe"), FEED_TARGET), Err(UpdateProblem::NoPackage));
        assert_eq!(parse_feed(&feed("0.2.0", "https://u/x.exe"), "darwin-aarch64"), Err(UpdateProblem::NoPackage));
        assert!(matches!(parse_feed(b"<html>", FEED_TARGET), Err(UpdateProblem::FeedUnreadable { .. })));
        assert!(matches!(parse_feed(&feed("latest", "https://u/x"), FEED_TARGET), Err(UpdateProblem::FeedUnreadable { .. })));
    }

    #[test]
    fn only_a_newer_version_is_offered() {
        let release = |v: &str| parse_feed(&feed(v, "https://u/x.exe"), FEED_TARGET).unwrap();
        assert!(is_newer("0.1.0", &release("0.2.0")));
        assert!(is_newer("0.1.0", &release("0.1.1")));
        assert!(!is_newer("0.1.0", &release("0.1.0")));
        assert!(!is_newer("0.1.0", &release("0.0.9")));
        // A pre-release of this version is older than it.
        assert!(!is_newer("0.1.0", &release("0.1.0-rc.1")));
    }

    #[test]
    fn a_check_is_due_daily_and_an_hour_after_an_unreachable_feed() {
        let at = DateTime::parse_from_rfc3339("2026-12-06T08:00:00Z").unwrap().with_timezone(&Utc);
        let checked = |outcome| UpdateCheck { checked_at: at, outcome };
        let fine = checked(UpdateOutcome::UpToDate { feed_version: "0.1.0".into() });
        let offline = checked(UpdateOutcome::Refused { problem: UpdateProblem::Unreachable { detail: "x".into() } });
        assert!(check_due(None, at));
        assert!(!check_due(Some(&fine), at + Duration::hours(23)));
        assert!(check_due(Some(&fine), at + Duration::hours(24)));
        assert!(!check_due(Some(&offline), at + Duration::minutes(59)));
        assert!(check_due(Some(&offline), at + Duration::hours(1)));
        assert!(check_due(Some(&fine), at - Duration::hours(1)));
    }

    #[test]
    fn signatures_that_are_not_minisign_are_refused_never_a_panic() {
        let version = semver::Version::new(0, 2, 0);
        assert_eq!(verify_package("not base64!", "c2ln", b"x", &version), Err(UpdateProblem::OtherKey));
        // A well-formed key (Tauri's base64 of a public key file: "Ed", key id, 32 bytes).
        use base64::Engine;
        let raw: Vec<u8> = b"Ed".iter().copied().chain(1..=8).chain([7u8; 32]).collect();
        let line = base64::engine::general_purpose::STANDARD.encode(raw);
        let key =
            base64::engine::general_purpose::STANDARD.encode(format!("untrusted comment: minisign public key: 0807060504030201\n{line}\n"));
        assert_eq!(verify_package(&key, "c2ln", b"x", &version), Err(UpdateProblem::SignatureUnreadable));
    }

    #[test]
    fn the_signed_version_is_read_from_the_trusted_comment() {
        assert_eq!(comment_field("timestamp:1796523278\tfile:pkg.exe\tversion:0.2.0", "version").as_deref(), Some("0.2.0"));
        assert_eq!(comment_field("timestamp:1796523278\tfile:pkg.exe", "version"), None);
        assert_eq!(comment_field("timestamp:1796523278\tfile:pkg.exe\tversion:0.2.0", "file").as_deref(), Some("pkg.exe"));
    }
}
