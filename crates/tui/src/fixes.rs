//! The engine's fixes and outcomes in the workbench's words: the keys and rows that take each one.

use engine::exchange::{Diagnosis, Fix};

/// A diagnosis's hint, led by the workbench's way to make its fix.
pub fn hint(d: &Diagnosis) -> String {
    d.hint_with(words)
}

/// A diagnosis in one line: the cause, then what to do when there is more to say.
pub fn line(d: &Diagnosis) -> String {
    d.line_with(words)
}

/// How one fix is made in the workbench.
pub fn words(fix: &Fix) -> String {
    match fix {
        Fix::PickKey => "pick a key with Ctrl-K".into(),
        Fix::RawErrorChain => "press r for the raw error chain".into(),
        Fix::CheckKey => "Ctrl-K, then t tests the key's handshake alone".into(),
        Fix::TryRequest => "send a real request with this key (Ctrl-R)".into(),
        Fix::SendFewerAtOnce => "send fewer at once".into(),
        Fix::TurnMutualTlsOn => "turn Use Mutual TLS on in the Options tab".into(),
        Fix::TrustServer => "press T: u shows what the server presents to trust (check its SHA-256), a adds its CA from a file; the profile then trusts it (Verify TLS off in the Options tab skips the check and is unsafe)".into(),
        Fix::TrustExactCertificate => "press T, then u: trust this exact certificate (accepted by exact match, its dates still checked)".into(),
        Fix::SkipVerification => "Verify TLS off in the Options tab skips the check (unsafe)".into(),
        Fix::RaiseTimeout => "raise the timeout (1-300 s) in the Options tab".into(),
        Fix::RaiseBodyLimit => "raise max_body in the profile's options".into(),
        Fix::AskUncompressed => "turn Compressed off in the Options tab to ask for an uncompressed body".into(),
        Fix::BypassProxy => "bypass the proxy with NO_PROXY".into(),
        Fix::CheckProxy => "check the proxy URL (the profile's proxy, or HTTPS_PROXY / http_proxy / ALL_PROXY)".into(),
        Fix::PointAtTokenModule => "point CERTBENCH_PKCS11_MODULE at the token's PKCS#11 module".into(),
        Fix::GiveTokenPin => "type the PIN when asked".into(),
        Fix::GiveKeyPassword => "type the file's password in the import window".into(),
        Fix::GiveCertificate => "give the certificate file in the import window".into(),
        Fix::GivePrivateKey => "give a PKCS#12 file, or the key file, in the import window".into(),
        Fix::ShowKey => "the key picker (Ctrl-K) shows your key's certificate".into(),
        Fix::ExportKey => "`certbench keys export NAME` prints your chain to send".into(),
        Fix::BindKey => "bind the key to that host too (`certbench keys bind KEY PATTERN`)".into(),
        Fix::ListKeys => "Ctrl-K lists the keys".into(),
        Fix::SetVariable { name } => format!("set {name} in vars.toml or the environment's file"),
        Fix::MoveKeyLog => "point SSLKEYLOGFILE at a file in a folder you can write".into(),
        Fix::RaiseMessageLimit => "raise max_message_bytes in the profile's [websocket]".into(),
        Fix::RaiseGrpcMessageLimit => "raise max_message_bytes in the profile's [grpc]".into(),
        Fix::GiveProtoFiles => {
            "name the service's .proto files in the profile's [grpc] proto (or a protoset)".into()
        }
        Fix::ChooseSubprotocol => "set subprotocols in the profile's [websocket]".into(),
        Fix::ListGrpcMethods => "Ctrl-G lists the server's methods".into(),
        Fix::DescribeGrpcType { name } => {
            format!("Ctrl-G, then the method, puts a {name} with every field in the body")
        }
        Fix::SendRequired { name } => format!("send {name} alone (select it, Ctrl-R) to see why"),
        Fix::LinkKey { name } => {
            format!("import {name} again as a link to its files: `certbench keys import {name} --link --replace ...`")
        }
        Fix::RenewByHand { name } => format!(
            "`certbench keys renew {name}` shows what the command prints; `keys renew-command` mends it"
        ),
    }
}

/// How an event stream ended, in the workbench's words.
pub fn stream_words(
    s: &engine::body::events::StreamSummary,
    kind: engine::body::events::StreamKind,
) -> String {
    use engine::body::events::{StreamEnd, StreamKind};
    let end = match s.end {
        StreamEnd::Closed if kind == StreamKind::WebSocket => "the server closed the WebSocket",
        StreamEnd::Closed if kind == StreamKind::GrpcCall => "the server ended the call",
        StreamEnd::Closed => "the server closed the stream",
        StreamEnd::MaxEvents => "stopped at the most events asked for",
        StreamEnd::TimeLimit => "stopped at the profile's timeout",
        StreamEnd::Cancelled => "stopped",
        StreamEnd::BodyLimit => "stopped at the body size limit",
        StreamEnd::ReaderGone => "stopped",
        StreamEnd::MessageTooLarge => "stopped at a message over the size limit",
        StreamEnd::Broken => "the connection broke",
    };
    let plural = if s.events == 1 { "" } else { "s" };
    match kind {
        StreamKind::WebSocket => format!(
            "{} message{plural} received, {} sent: {end}",
            s.events, s.sent
        ),
        StreamKind::GrpcCall => format!("{} message{plural} received: {end}", s.events),
        StreamKind::Events => format!("{} event{plural}: {end}", s.events),
    }
}
