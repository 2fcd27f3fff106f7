//! What would fix a failure, as a type: the engine names the fix, each interface words it
//! (a key or a row in the TUI, a flag on the command line).

use serde::{Deserialize, Serialize};

/// A fix that only the interface can word. The diagnosis's own hint says the rest, in words that
/// hold for every interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fix {
    /// Choose a client-certificate key for this request.
    PickKey,
    /// Look at the raw error chain behind the explanation.
    RawErrorChain,
    /// Test the key with a handshake of its own, to see the server's exact answer.
    CheckKey,
    /// Try the key in a real request (the server may ask for it only at the HTTP level).
    TryRequest,
    /// Send fewer requests at once.
    SendFewerAtOnce,
    /// Turn Use Mutual TLS on, so the chosen key is offered.
    TurnMutualTlsOn,
    /// Trust the server's CA (or its self-signed certificate); skipping the check is the unsafe way.
    TrustServer,
    /// Trust this exact server certificate (accepted by exact match, its dates still checked).
    TrustExactCertificate,
    /// Skip the server's certificate check (unsafe).
    SkipVerification,
    /// Wait longer for the answer.
    RaiseTimeout,
    /// Allow a larger body, or save it to a file.
    RaiseBodyLimit,
    /// Ask for an uncompressed body.
    AskUncompressed,
    /// Connect without the proxy.
    BypassProxy,
    /// Check which proxy is used and its address.
    CheckProxy,
    /// Point certbench at the token's PKCS#11 module.
    PointAtTokenModule,
    /// Give the token's PIN.
    GiveTokenPin,
    /// Give the key file's password.
    GiveKeyPassword,
    /// Give the certificate that goes with this key.
    GiveCertificate,
    /// Give the private key that goes with this certificate.
    GivePrivateKey,
    /// Look at the key's certificate: subject, issuer, dates.
    ShowKey,
    /// Export the key's certificate chain, to send to the API's owner.
    ExportKey,
    /// Bind the key to one more host.
    BindKey,
    /// See which keys and trusted certificates there are.
    ListKeys,
    /// Give the variable a value.
    SetVariable { name: String },
    /// Write the TLS key log somewhere writable.
    MoveKeyLog,
    /// Take larger WebSocket messages.
    RaiseMessageLimit,
    /// Ask for a subprotocol the server speaks.
    ChooseSubprotocol,
    /// Take larger gRPC messages.
    RaiseGrpcMessageLimit,
    /// Give the service's `.proto` files (or a protoset) instead of reflection.
    GiveProtoFiles,
}
