//! TLS termination of the API: the certificate chain and key of `JANGTEO_TLS_CERT` and
//! `JANGTEO_TLS_KEY` (PEM), TLS 1.3 preferred and 1.2 accepted (rustls offers no older version),
//! on the ring provider.

use std::{path::Path, sync::Arc};

use anyhow::{Context, Result, bail};
use rustls::{
    ServerConfig,
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
};

use crate::config::Config;

/// The server's TLS configuration, or `None` to serve plain HTTP.
pub(crate) fn server_config(config: &Config) -> Result<Option<ServerConfig>> {
    let (cert, key) = match (&config.tls_cert, &config.tls_key) {
        (None, None) => return Ok(None),
        (Some(cert), Some(key)) => (cert, key),
        _ => bail!("JANGTEO_TLS_CERT and JANGTEO_TLS_KEY go together"),
    };
    let chain = certificates(cert)?;
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("reading the private key {}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("choosing the TLS versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the TLS key does not go with the certificate")?;
    Ok(Some(tls))
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_file_iter(path)
        .with_context(|| format!("reading the certificate chain {}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading the certificate chain {}", path.display()))?;
    if chain.is_empty() {
        bail!("{} holds no certificate", path.display());
    }
    Ok(chain)
}
