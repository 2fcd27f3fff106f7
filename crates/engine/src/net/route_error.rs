//! Why a route setting (a proxy, an address override, a pin) cannot be used, with the form it
//! should take.

/// A route setting that cannot be used; each says what was given and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("{what} {text:?} is not a URL: {reason}")]
    ProxyNotAUrl {
        what: String,
        text: String,
        reason: String,
    },
    #[error("{what} {text:?} names no host")]
    ProxyWithoutHost { what: String, text: String },
    #[error(
        "{what} {text:?}: only http:// (HTTP CONNECT), socks5:// and socks5h:// proxies are supported, not {scheme}://"
    )]
    ProxyScheme {
        what: String,
        text: String,
        scheme: String,
    },
    #[error("{what}: {text:?} is not a port (1-65535)")]
    NotAPort { what: &'static str, text: String },
    #[error("resolve {text:?}: write HOST:PORT:ADDRESS, e.g. api.example.com:443:10.0.0.7")]
    ResolveForm { text: String },
    #[error("resolve {text:?}: {addr:?} is not an IP address")]
    NotAnAddress { text: String, addr: String },
    #[error(
        "connect-to {text:?}: write HOST:PORT:HOST2:PORT2, e.g. api.example.com:443:staging.internal:8443"
    )]
    ConnectToForm { text: String },
    #[error("connect-to {text:?} names no host to connect to")]
    ConnectToWithoutHost { text: String },
    #[error(
        "connect-to {entry}: the URL names port {named}, and that port is always the one connected to; write the URL without a port, or connect to port {named}"
    )]
    PortFixedByUrl { entry: String, named: u16 },
    #[error("pin {pin:?}: write sha256//BASE64 (the form a trusted certificate's pin is shown in)")]
    PinForm { pin: String },
    #[error("pin {pin:?}: not base64 ({reason})")]
    PinNotBase64 { pin: String, reason: String },
    #[error("pin {pin:?}: a SHA-256 hash is 32 bytes, this is {len}")]
    PinLength { pin: String, len: usize },
}
