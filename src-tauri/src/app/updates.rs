//! Updates: the feed checked at start and at most daily (or when the user asks), through the
//! system's proxy and trust store, never a profile's; a newer version offered only once its
//! package is downloaded and its signature verified; installed only when nothing would be lost.

use std::sync::Mutex;

use super::AppState;
use crate::certopay::update_server::{FeedAnswer, UpdateServer, UpdateSource, VerifiedUpdate};
use crate::certopay::ClientOptions;
use crate::platform::app_clock;
use crate::platform::update_installer::{hold_verified, HeldInstaller};
use crate::platform::update_policy::updates_disabled_by_organisation;
use crate::rules::app_error::{AppError, UpdateWait};
use crate::rules::base_url::BaseUrl;
use crate::rules::proxy_route::{route, ProxyChoice};
use crate::rules::update_feed::{check_due, UpdateCheck, UpdateOutcome, UpdateProblem};
use crate::rules::update_status::{update_status, UpdateStatus};
use crate::store::update_record::UpdateRecordFile;
use crate::wire::{AppEvent, UpdateOffer};

/// This build's version, the one a feed's must be above.
pub const THIS_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The updates' own state: where they come from (`None`: this copy checks no feed), the last
/// check as written down, a newer version this run downloaded and verified (until it is
/// installed), and one feed check at a time.
pub(super) struct Updates {
    source: Option<UpdateSource>,
    record: Mutex<UpdateRecordFile>,
    verified: Mutex<Option<VerifiedUpdate>>,
    checking: tokio::sync::Mutex<()>,
}

impl Updates {
    pub(super) fn new(source: Option<UpdateSource>, record: UpdateRecordFile) -> Self {
        Updates { source, record: Mutex::new(record), verified: Mutex::new(None), checking: tokio::sync::Mutex::new(()) }
    }

    /// The version verified this run and not yet installed: its number and notes.
    pub(super) fn offer(&self) -> Option<UpdateOffer> {
        let verified = self.verified.lock().unwrap();
        verified.as_ref().map(|update| UpdateOffer { version: update.release.version.to_string(), notes: update.release.notes.clone() })
    }
}

impl AppState {
    /// Whether this copy checks a feed, and if not, why. Blocking on Windows (the registry).
    pub fn update_status(&self) -> UpdateStatus {
        update_status(updates_disabled_by_organisation(), self.updates.source.is_some(), cfg!(target_os = "linux"))
    }

    pub fn last_update_check(&self) -> Option<UpdateCheck> {
        self.updates.record.lock().unwrap().last().cloned()
    }

    /// Checks the feed when a check is due, or at once when `asked` (Settings → About's
    /// button), and tells the window what it found. `None` when this copy checks no feed.
    pub async fn check_for_updates(&self, asked: bool) -> Option<UpdateCheck> {
        if self.off_thread(|s| s.update_status()).await != UpdateStatus::Checked {
            return None;
        }
        let source = self.updates.source.clone()?;
        // One check at a time: the daily timer and the button may meet.
        let _one = self.updates.checking.lock().await;
        let last = self.last_update_check();
        // An offer whose package is not in memory (an earlier run's) is checked again, so
        // that what is installed is what this run verified.
        let offer_without_package = matches!(last.as_ref().map(|c| &c.outcome), Some(UpdateOutcome::Available { .. }))
            && self.updates.verified.lock().unwrap().is_none();
        if !asked && !offer_without_package && !check_due(last.as_ref(), app_clock::now()) {
            return last;
        }
        let feed = source.feed.clone();
        let options = self
            .off_thread(move |s| {
                // An installer an earlier run wrote (and ran) is not kept: each run verifies its own.
                if s.updates.verified.lock().unwrap().is_none() {
                    let _ = std::fs::remove_dir_all(s.update_dir());
                }
                s.update_client_options(&feed)
            })
            .await;
        let answer = match options.and_then(|options| UpdateServer::new(source, &options)) {
            Ok(server) => server.check(THIS_VERSION).await,
            Err(problem) => Err(problem),
        };
        let outcome = match answer {
            Ok(FeedAnswer::NotNewer(version)) => {
                *self.updates.verified.lock().unwrap() = None;
                UpdateOutcome::UpToDate { feed_version: version.to_string() }
            }
            Ok(FeedAnswer::Newer(update)) => {
                let outcome = UpdateOutcome::Available { version: update.release.version.to_string(), notes: update.release.notes.clone() };
                *self.updates.verified.lock().unwrap() = Some(update);
                outcome
            }
            // A refused package is dropped where it was refused; an earlier verified one stays.
            Err(problem) => UpdateOutcome::Refused { problem },
        };
        let check = UpdateCheck { checked_at: app_clock::now(), outcome };
        let kept = check.clone();
        // Not written down: the next start checks again, which is harmless.
        let _ = self.off_thread(move |s| s.updates.record.lock().unwrap().record(kept)).await;
        self.emit(AppEvent::UpdateChecked);
        Some(check)
    }

    /// The client options for the update server: the system's proxy (never a profile's: the
    /// feed belongs to no profile) and the usual timeouts. Blocking (GNOME's settings).
    fn update_client_options(&self, feed: &url::Url) -> Result<ClientOptions, UpdateProblem> {
        let unreachable = |e: AppError| UpdateProblem::Unreachable { detail: e.to_string() };
        let server = BaseUrl::parse(feed.as_str()).map_err(unreachable)?;
        let proxy = route(
            &ProxyChoice::System,
            &server,
            &|name| std::env::var(name).ok(),
            &crate::platform::gnome_proxy::gnome_proxy,
            crate::platform::gnome_proxy::SYSTEM_KEEPS_PROXY,
        )
        .map_err(unreachable)?;
        Ok(ClientOptions { proxy, proxy_credentials: None, ..self.client_options.clone() })
    }

    /// Where the verified installer is written to be run: the app's private folder.
    fn update_dir(&self) -> std::path::PathBuf {
        self.settings_state.path().parent().expect("the settings file has a folder").join("update")
    }

    /// Writes the verified package where it can be run and says where. Refused when updates
    /// are off now, while a rotation is in flight or a new key is on the clipboard (installing
    /// ends the app, and with it the rotation's answer or the key); the caller runs it and
    /// quits at once.
    pub fn prepare_update(&self) -> Result<std::path::PathBuf, AppError> {
        // The organisation's word is asked again now: it may have changed since the check.
        if self.update_status() != UpdateStatus::Checked {
            *self.updates.verified.lock().unwrap() = None;
            return Err(AppError::UpdatesTurnedOff);
        }
        if self.rotation_in_flight() {
            return Err(AppError::UpdateWaits { reason: UpdateWait::Rotation });
        }
        if self.clipboard.holds_secret() {
            return Err(AppError::UpdateWaits { reason: UpdateWait::Clipboard });
        }
        let verified = self.updates.verified.lock().unwrap();
        let update = verified.as_ref().ok_or(AppError::NoUpdate)?;
        let path = self.update_dir().join(format!("CertoPay-Keys-{}-setup.exe", update.release.version));
        crate::store::private_files::write_atomically(&path, &update.package)
            .map_err(|e| AppError::UpdateFailed { detail: format!("{}: {e}", path.display()) })?;
        Ok(path)
    }

    /// The installer `prepare_update` wrote, held open so that nobody can change it before it
    /// starts, and read back through that hold: still the verified package, byte for byte.
    pub fn hold_update_installer(&self) -> Result<HeldInstaller, AppError> {
        let path = self.prepare_update()?;
        let verified = self.updates.verified.lock().unwrap();
        let update = verified.as_ref().ok_or(AppError::NoUpdate)?;
        hold_verified(&path, &update.package)
    }
}

/// The feed and key this build was made with (`CERTOPAY_UPDATE_FEED`, an https address of a
/// `latest.json`, and `CERTOPAY_UPDATE_KEY`, the updater's public key, when `make windows`
/// builds). Only Windows builds update themselves; Linux packages never name one.
pub fn built_in_update_source() -> Option<UpdateSource> {
    if !cfg!(windows) {
        return None;
    }
    let feed = url::Url::parse(option_env!("CERTOPAY_UPDATE_FEED")?).ok()?;
    let public_key = option_env!("CERTOPAY_UPDATE_KEY")?.trim().to_string();
    Some(UpdateSource { feed, public_key })
}
