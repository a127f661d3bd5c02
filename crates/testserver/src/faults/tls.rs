//! CA rotation: a new CA and a serving certificate under it, staged first (so clients can be
//! given a bundle trusting both), then served to every new connection. Client certificates of
//! every CA served so far stay trusted.

use std::sync::{Arc, Mutex};

use rustls::pki_types::CertificateDer;

use crate::error::Error;
use crate::pki::Pki;

/// A CA served after a rotation and the configuration serving its certificate.
#[derive(Debug)]
struct Served {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    config: Arc<rustls::ServerConfig>,
}

/// The rotation state: nothing until the first rotation (the server's own PKI is served).
#[derive(Debug, Default)]
pub(crate) struct Rotation {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Generated, not yet served.
    staged: Option<Pki>,
    /// The CA and configuration served since the last switch.
    serving: Option<Served>,
    /// CAs served before (their client certificates stay valid).
    retired: Vec<CertificateDer<'static>>,
}

impl Rotation {
    /// The configuration for a new connection, when a rotation replaced the original one.
    pub(crate) fn serving(&self) -> Option<Arc<rustls::ServerConfig>> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.serving.as_ref().map(|s| s.config.clone())
    }

    /// Makes a new CA and serving certificate; returns the bundle to trust meanwhile: the new
    /// CA, then the one served now (`original_ca_pem` before any rotation).
    pub(crate) fn stage(&self, original_ca_pem: &str) -> Result<String, Error> {
        let pki = Pki::generate()?;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let current = state
            .serving
            .as_ref()
            .map_or(original_ca_pem, |s| s.ca_pem.as_str());
        let bundle = format!("{}{current}", pki.ca_pem);
        state.staged = Some(pki);
        Ok(bundle)
    }

    /// Serves the staged certificate to new connections; gives its CA (PEM), or `None` when
    /// nothing was staged.
    pub(crate) fn switch(
        &self,
        original_ca: &CertificateDer<'static>,
    ) -> Result<Option<String>, Error> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(pki) = state.staged.take() else {
            return Ok(None);
        };
        let retiring = match &state.serving {
            Some(served) => served.ca_der.clone(),
            None => original_ca.clone(),
        };
        state.retired.push(retiring);
        let config = pki.server_config_trusting(&state.retired)?;
        let ca_pem = pki.ca_pem.clone();
        state.serving = Some(Served {
            ca_pem: ca_pem.clone(),
            ca_der: pki.ca_der().clone(),
            config,
        });
        Ok(Some(ca_pem))
    }
}
