//! The update server: its feed and the package the feed names, fetched with the same TLS (the
//! system's trust store) and the same system proxy as CertoPay's API, and verified against
//! the updater key before anything is kept. Plain Rust: no tauri here.

use std::time::Duration;

use crate::rules::update_feed::{is_newer, parse_feed, verify_package, FeedRelease, UpdateProblem, MAX_FEED_BYTES, MAX_PACKAGE_BYTES};

use super::{http_client_builder, network_error, ClientOptions};

/// Where updates come from and the key they must be signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateSource {
    pub feed: url::Url,
    /// Tauri's form: the minisign public key file's text, base64-encoded.
    pub public_key: String,
}

/// A newer release, its package downloaded and its signature verified.
pub struct VerifiedUpdate {
    pub release: FeedRelease,
    pub package: Vec<u8>,
}

/// What a check found.
pub enum FeedAnswer {
    /// The feed's version is not above this one.
    NotNewer(semver::Version),
    Newer(VerifiedUpdate),
}

pub struct UpdateServer {
    http: reqwest::Client,
    via_proxy: bool,
    source: UpdateSource,
}

impl UpdateServer {
    /// `options`: the profile-independent route (the system's proxy) and the usual timeouts.
    pub fn new(source: UpdateSource, options: &ClientOptions) -> Result<Self, UpdateProblem> {
        let unreachable = |detail: String| UpdateProblem::Unreachable { detail };
        if source.feed.scheme() != "https" {
            return Err(unreachable(format!("the feed's address is not https: {}", source.feed)));
        }
        let http = http_client_builder(options)
            .map_err(|e| unreachable(e.to_string()))?
            // A release's package is often one redirect away (a download host); https only.
            .redirect(reqwest::redirect::Policy::limited(5))
            .https_only(true)
            // The whole package, on an office line.
            .timeout(Duration::from_secs(600))
            .build()
            .map_err(|e| unreachable(format!("HTTP client: {e}")))?;
        let via_proxy = !matches!(options.proxy, crate::rules::proxy_route::ProxyRoute::Direct);
        Ok(UpdateServer { http, via_proxy, source })
    }

    /// Reads the feed; when it offers a version above `current`, downloads its package and
    /// verifies it. Nothing that fails verification leaves this function.
    pub async fn check(&self, current: &str) -> Result<FeedAnswer, UpdateProblem> {
        let feed = self.fetch(self.source.feed.clone(), MAX_FEED_BYTES).await?;
        let release = parse_feed(&feed, crate::rules::update_feed::FEED_TARGET)?;
        if !is_newer(current, &release) {
            return Ok(FeedAnswer::NotNewer(release.version));
        }
        let package = self.fetch(release.url.clone(), MAX_PACKAGE_BYTES).await?;
        verify_package(&self.source.public_key, &release.signature, &package, &release.version)?;
        Ok(FeedAnswer::Newer(VerifiedUpdate { release, package }))
    }

    async fn fetch(&self, url: url::Url, limit: usize) -> Result<Vec<u8>, UpdateProblem> {
        let unreachable = |detail: String| UpdateProblem::Unreachable { detail };
        let mut response =
            self.http.get(url.clone()).send().await.map_err(|e| unreachable(network_error(e, self.via_proxy).to_string()))?;
        if !response.status().is_success() {
            return Err(unreachable(format!("{} answered HTTP {}", url.path(), response.status().as_u16())));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| unreachable(network_error(e, self.via_proxy).to_string()))? {
            if bytes.len() + chunk.len() > limit {
                return Err(unreachable(format!("{} is larger than {limit} bytes", url.path())));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}
