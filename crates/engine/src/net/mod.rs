//! The wire: routes, proxies, connections, the recording TLS handshake, probes, cookies and the transport that sends.

mod connect;
pub mod cookies;
pub mod handshake;
pub mod phases;
pub mod probe;
pub mod provider;
pub mod route;
pub mod transport;
