//! The wire: routes, proxies, connections, the recording TLS handshake, probes, cookies and the transport that sends.

mod client;
pub mod client_cert_header;
mod connect;
pub mod cookies;
mod crl_fetch;
mod exchange_body;
pub mod grpc;
pub mod handshake;
pub mod keylog;
pub mod ocsp;
pub mod phases;
pub mod probe;
pub mod provider;
mod reconnect;
pub mod recording;
mod redirect;
pub mod revocation;
pub mod route;
mod route_error;
pub mod server_chain;
pub mod transport;
mod websocket;
