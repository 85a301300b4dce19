//! A company's certificate authority, made at test time, and server certificates it signs:
//! what IT installs in the system's trust store, and what an inspecting proxy or a server
//! presents.

use std::path::PathBuf;

use certopay_sandbox::TlsPem;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

pub struct CompanyCa {
    cert: rcgen::Certificate,
    key: KeyPair,
    dir: tempfile::TempDir,
}

/// What a server certificate should be like.
pub struct Leaf<'a> {
    pub names: &'a [&'a str],
    /// Valid from and until these years (the end of the year before: a past `until` is expired).
    pub from_year: i32,
    pub until_year: i32,
}

impl Default for Leaf<'_> {
    fn default() -> Self {
        Leaf { names: &["localhost"], from_year: 2024, until_year: 2040 }
    }
}

impl CompanyCa {
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        CompanyCa { cert, key, dir: tempfile::tempdir().unwrap() }
    }

    /// The authority as a PEM bundle file, as `SSL_CERT_FILE` names it.
    pub fn bundle(&self) -> PathBuf {
        let path = self.dir.path().join("company-ca.pem");
        std::fs::write(&path, self.cert.pem()).unwrap();
        path
    }

    /// A server certificate signed by this authority, for the sandbox to present at `host`.
    pub fn server(&self, host: &str, leaf: Leaf<'_>) -> TlsPem {
        let mut params = CertificateParams::new(leaf.names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
        params.not_before = rcgen::date_time_ymd(leaf.from_year, 1, 1);
        params.not_after = rcgen::date_time_ymd(leaf.until_year, 1, 1);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        TlsPem { cert_chain_pem: cert.pem(), key_pem: key.serialize_pem(), host: host.to_string() }
    }
}
