//! A profile's `[options]`: timeouts, redirects, TLS, body size, routes and streams, with
//! their defaults.

use serde::{Deserialize, Serialize};

use crate::home;
use crate::net::route::HttpVersion;
use crate::size::ByteSize;

fn default_timeout() -> u32 {
    40
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    #[serde(default = "default_timeout")]
    pub timeout_secs: u32,
    /// An event stream the server closes is opened again (with `Last-Event-ID`, after the
    /// server's `retry`) until the timeout.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reconnect: bool,
    /// How many of a stream's latest events the workbench's live log holds (10-100000;
    /// unset: 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_events: Option<u32>,
    /// In `send` and `run`, an event stream or a WebSocket ends, as a normal end, after this
    /// many events (or messages received); `--max-events` says the same for one send. The
    /// workbench leaves the end to the person (Esc, `x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_events: Option<u64>,
    #[serde(default = "yes")]
    pub errors_on_status: bool,
    #[serde(default = "yes")]
    pub parse_response: bool,
    #[serde(default = "yes")]
    pub follow_redirects: bool,
    #[serde(default)]
    pub follow_all_redirects: bool,
    #[serde(default = "yes")]
    pub query_arrays: bool,
    #[serde(default = "yes")]
    pub compressed: bool,
    #[serde(default)]
    pub share_cookies: bool,
    #[serde(default = "yes")]
    pub verify_tls: bool,
    /// Unset means "on when a credential is selected".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutual_tls: Option<bool>,
    /// The most body bytes held in memory, counted after decoding (unset: 256 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_body: Option<ByteSize>,
    /// An HTTP proxy (`http://user:pass@host:port`, `${env:...}` allowed), or "none" for a
    /// direct connection; unset: the environment, as curl reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// `HOST:PORT:ADDRESS` entries, as curl's `--resolve`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolve: Vec<String>,
    /// `HOST:PORT:HOST2:PORT2` entries, as curl's `--connect-to`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connect_to: Vec<String>,
    /// "auto" (ALPN decides), "1.1" or "2".
    #[serde(default, skip_serializing_if = "HttpVersion::is_auto")]
    pub http_version: HttpVersion,
    /// `sha256//BASE64` hashes of the server's public key, `;`-separated: one must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    /// Certificate revocation lists (PEM or DER files) the server's chain is checked against.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crl: Vec<String>,
    /// Send the key's certificate in the `Client-Cert` header (RFC 9440) instead of the
    /// handshake, as a TLS terminator passes it to an origin.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub client_cert_header: bool,
    /// Fetch the CRLs the server's chain names and check it against them before sending.
    #[serde(default, skip_serializing_if = "RevocationCheck::is_off")]
    pub check_revocation: RevocationCheck,
}

/// Whether a send fetches the CRLs the server's chain names (`--check-revocation`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RevocationCheck {
    #[default]
    Off,
    /// A list that cannot be fetched is a warning.
    On,
    /// A list that cannot be fetched stops the send.
    Strict,
}

impl RevocationCheck {
    pub fn is_off(&self) -> bool {
        *self == RevocationCheck::Off
    }
}

/// A profile is a short TOML file: anything larger is not one.
pub const PROFILE_FILE_LIMIT: u64 = home::TEXT_FILE_LIMIT;

/// The body cap when a profile sets none.
pub const DEFAULT_MAX_BODY: ByteSize = ByteSize(256 * ByteSize::MIB);

impl Options {
    pub fn max_body(&self) -> ByteSize {
        self.max_body.unwrap_or(DEFAULT_MAX_BODY)
    }
}

/// A body cap must leave room for a useful answer and stay within what the view can index.
pub use crate::request::profile_check::check_max_body;

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout_secs: 40,
            errors_on_status: true,
            parse_response: true,
            follow_redirects: true,
            follow_all_redirects: false,
            query_arrays: true,
            compressed: true,
            share_cookies: false,
            verify_tls: true,
            mutual_tls: None,
            max_body: None,
            proxy: None,
            resolve: Vec::new(),
            connect_to: Vec::new(),
            http_version: HttpVersion::Auto,
            pin: None,
            crl: Vec::new(),
            client_cert_header: false,
            check_revocation: RevocationCheck::Off,
            reconnect: false,
            keep_events: None,
            max_events: None,
        }
    }
}
