//! The engine's fixes in the command line's words: the flags and commands that take each one.

use engine::exchange::{Diagnosis, Fix};

/// A diagnosis's hint, led by the command line's way to make its fix.
pub fn hint(d: &Diagnosis) -> String {
    d.hint_with(words)
}

/// A diagnosis in one line: the cause, then what to do when there is more to say.
pub fn line(d: &Diagnosis) -> String {
    d.line_with(words)
}

/// How one fix is made from the command line.
pub fn words(fix: &Fix) -> String {
    match fix {
        Fix::PickKey => "pick a key with --credential NAME".into(),
        Fix::RawErrorChain => "run again with -v for the raw error chain".into(),
        Fix::CheckKey => {
            "`certbench keys check NAME --url URL -v` tests the key's handshake alone".into()
        }
        Fix::TryRequest => "try a real request: `certbench send --url URL --credential NAME`".into(),
        Fix::SendFewerAtOnce => "send fewer at once (a lower --jobs)".into(),
        Fix::TurnMutualTlsOn => {
            "turn Use Mutual TLS on (options.mutual_tls = true, or drop --no-mtls)".into()
        }
        Fix::TrustServer => "run `certbench trust add NAME FILE` with the server's CA certificate, then use --trust NAME or trust = [\"NAME\"] (--insecure, or verify_tls = false, skips the check and is unsafe)".into(),
        Fix::TrustExactCertificate => "pin this exact certificate with `certbench trust add NAME server.pem` and --trust NAME (a pinned certificate is accepted by exact match, its dates still checked)".into(),
        Fix::SkipVerification => "--insecure skips the check (unsafe)".into(),
        Fix::RaiseTimeout => "raise the timeout (1-300 s) with --timeout or the profile's timeout_secs".into(),
        Fix::RaiseBodyLimit => "raise it with --max-body SIZE (or max_body in the profile's options), or stream it to disk with --output FILE".into(),
        Fix::AskUncompressed => "send with --no-compressed to ask for an uncompressed body".into(),
        Fix::BypassProxy => "bypass the proxy with --no-proxy / NO_PROXY".into(),
        Fix::CheckProxy => "check the proxy URL (--proxy, the profile's proxy, or HTTPS_PROXY / http_proxy / ALL_PROXY); --no-proxy connects directly".into(),
        Fix::PointAtTokenModule => "point --module or CERTBENCH_PKCS11_MODULE at the token's PKCS#11 module".into(),
        Fix::GiveTokenPin => "give the PIN with --pin-env VAR or --pin-file FILE, or type it when asked".into(),
        Fix::GiveKeyPassword => "pass --password-env VAR or --password-file FILE".into(),
        Fix::GiveCertificate => "give the certificate with --cert FILE".into(),
        Fix::GivePrivateKey => "give the key with --key FILE, or a PKCS#12 file that holds one".into(),
        Fix::ShowKey => "`certbench keys show NAME` shows your key's certificate".into(),
        Fix::ExportKey => "`certbench keys export NAME` prints your chain to send".into(),
        Fix::BindKey => "bind the key to that host too (`certbench keys bind KEY PATTERN`)".into(),
        Fix::ListKeys => "see `certbench keys list` and `certbench trust list`".into(),
        Fix::SetVariable { name } => format!("pass --var {name}=VALUE"),
        Fix::MoveKeyLog => "give --keylog (or SSLKEYLOGFILE) a file in a folder you can write".into(),
        Fix::RaiseMessageLimit => "raise max_message_bytes in the profile's [websocket] table".into(),
        Fix::RaiseGrpcMessageLimit => "raise max_message_bytes in the profile's [grpc] table".into(),
        Fix::GiveProtoFiles => "pass the service's .proto files with --proto FILE (and --import-path DIR), or a --protoset FILE".into(),
        Fix::ListGrpcMethods => "`certbench grpc list URL` lists the server's methods".into(),
        Fix::DescribeGrpcType { name } => {
            format!("`certbench grpc describe URL {name}` shows its fields")
        }
        Fix::SendRequired { name } => format!("`certbench send {name}` shows why it fails"),
        Fix::LinkKey { name } => format!(
            "import it again with `certbench keys import {name} --link --replace ...` to follow its files"
        ),
        Fix::RenewByHand { name } => format!(
            "run it by hand: `certbench keys renew {name}` shows what it prints; `keys renew-command {name}` mends it"
        ),
        Fix::ChooseSubprotocol => "name one the server speaks with --subprotocol NAME (or subprotocols in the profile's [websocket])".into(),
    }
}
