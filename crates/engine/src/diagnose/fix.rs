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
    /// See the methods the gRPC server offers.
    ListGrpcMethods,
    /// See the fields of this message type (its full name).
    DescribeGrpcType { name: String },
    /// Send the required profile alone, to see why it fails.
    SendRequired { name: String },
    /// Import the key again as a link to its files, so a renewal on disk is read.
    LinkKey { name: String },
    /// Run the key's renew command by hand to see what it says, then mend it.
    RenewByHand { name: String },
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every source file of the engine, with its text up to its tests.
    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text
                    .split("#[cfg(test)]")
                    .next()
                    .unwrap_or_default()
                    .to_string();
                out.push((path.display().to_string(), code));
            }
        }
    }

    /// The engine names fixes (`Fix`) and each interface words them: none of its strings tells a
    /// person to run a certbench command or pass a certbench flag. (curl's and grpcurl's own
    /// flags, which the interop files read and write, are those tools' words.)
    #[test]
    fn no_string_of_the_engine_speaks_the_cli() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 50);
        let commands = [
            "send", "grpc", "keys", "trust", "run", "import", "history", "export",
        ];
        let flags = [
            "--var",
            "--timeout",
            "--insecure",
            "--credential",
            "--trust",
            "--env",
            "--password",
            "--pin",
            "--proxy",
            "--protoset",
            "--proto ",
            "--subprotocol",
            "--keylog",
            "--max-",
            "--link",
            "--replace",
            "--pick",
            "--from-url",
            "--force",
        ];
        let mut found = Vec::new();
        for (path, code) in &files {
            let other_tool = path.contains("curl");
            for (n, line) in code.lines().enumerate() {
                let line = line.trim_start();
                if line.starts_with("//") || !line.contains('"') {
                    continue;
                }
                // Only what is inside string literals.
                let literals: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
                for lit in literals {
                    // `certbench send NAME`, not "certbench sends": the command as a word.
                    let command = |c: &&str| {
                        lit.match_indices(&format!("certbench {c}")).any(|(i, m)| {
                            !lit.get(i + m.len()..)
                                .unwrap_or_default()
                                .starts_with(|ch: char| ch.is_ascii_alphabetic())
                        })
                    };
                    let cli = commands.iter().any(command)
                        || (!other_tool && flags.iter().any(|f| lit.contains(f)));
                    if cli {
                        found.push(format!("{path}:{}: {lit}", n + 1));
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "CLI words in the engine:\n{}",
            found.join("\n")
        );
    }
}
