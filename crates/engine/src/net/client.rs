//! A built client: the reqwest client for one key, trust and route, with its handshake log.

use crate::net::recording::HandshakeLog;
use rustls::ClientConfig;
use std::sync::Arc;

/// A reusable client and what its handshakes have shown.
pub struct ClientEntry {
    pub(super) client: reqwest::Client,
    pub log: Arc<HandshakeLog>,
    pub config: Arc<ClientConfig>,
}
