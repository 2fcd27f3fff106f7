//! What is known to be wrong with our key for a server, from the key's own facts and the CA names the server sent: named before any guess.

use crate::exchange::TlsFacts;
use crate::keys::certinfo::{CertFacts, Validity};

/// The credential as diagnosis needs it: the key's name and its certificates' facts.
#[derive(Debug, Clone)]
pub struct Credential<'a> {
    pub name: &'a str,
    pub leaf: &'a CertFacts,
    pub chain_len: usize,
    /// Subjects and issuers of the certificates after the leaf.
    pub chain_names: &'a [String],
    /// A CRL given with the send lists one of its certificates: when and why.
    pub revoked: Option<&'a crate::net::revocation::Revoked>,
}

/// A fault of our key that certbench saw itself, the likeliest reason a server refused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyFault {
    Expired {
        on: String,
    },
    NotYetValid {
        from: String,
    },
    /// The certificate's extended key usage has no clientAuth.
    NoClientAuth,
    /// Nothing in our chain is among the CAs the server listed.
    IssuerNotAccepted {
        issuer: String,
        accepted: Vec<String>,
    },
    /// Our key holds no chain and its issuer is not listed: the server cannot link it to the CA
    /// it lists when that issuer is an intermediate.
    MissingIntermediate {
        issuer: String,
        accepted: Vec<String>,
    },
}

impl KeyFault {
    /// The fault in words, for a message.
    pub fn words(&self, key: &str) -> String {
        match self {
            KeyFault::Expired { on } => format!("key {key} expired on {on}"),
            KeyFault::NotYetValid { from } => format!("key {key} is not valid before {from}"),
            KeyFault::NoClientAuth => format!(
                "key {key}'s certificate lacks the clientAuth extended key usage, so servers refuse it for client authentication"
            ),
            KeyFault::IssuerNotAccepted { issuer, accepted } => format!(
                "key {key} is issued by {issuer}, which the server does not accept (it accepts {})",
                accepted.join("; ")
            ),
            KeyFault::MissingIntermediate { issuer, accepted } => format!(
                "key {key} is issued by {issuer}, which the server does not list (it accepts {}), and the key holds no intermediate certificate",
                accepted.join("; ")
            ),
        }
    }

    /// What fixes it.
    pub fn fix(&self) -> &'static str {
        match self {
            KeyFault::Expired { .. } | KeyFault::NotYetValid { .. } => {
                "import a currently valid certificate for this API"
            }
            KeyFault::NoClientAuth => {
                "ask the issuer for a certificate with the clientAuth extended key usage"
            }
            KeyFault::IssuerNotAccepted { .. } => {
                "use a key issued by one of the CAs the server accepts"
            }
            KeyFault::MissingIntermediate { .. } => {
                "if that issuer is an intermediate under one of those CAs, import the key with its chain (the leaf then its intermediates, or a .p12 that holds them); otherwise use a key from one of those CAs"
            }
        }
    }
}

/// The first fault of `cred` that explains a refusal: its dates, its usage, then its issuer
/// against the CA names the server sent (`tls`).
pub fn key_fault(cred: &Credential<'_>, tls: Option<&TlsFacts>) -> Option<KeyFault> {
    match cred.leaf.validity() {
        Validity::Expired { .. } => {
            return Some(KeyFault::Expired {
                on: cred.leaf.not_after.clone(),
            });
        }
        Validity::NotYetValid => {
            return Some(KeyFault::NotYetValid {
                from: cred.leaf.not_before.clone(),
            });
        }
        Validity::Valid { .. } | Validity::Expiring { .. } => {}
    }
    if cred.leaf.client_auth == Some(false) {
        return Some(KeyFault::NoClientAuth);
    }
    let accepted = &tls?.acceptable_ca_names;
    if accepted.is_empty() {
        return None;
    }
    let ours = std::iter::once(&cred.leaf.issuer).chain(cred.chain_names.iter());
    if ours.into_iter().any(|n| accepted.contains(n)) {
        return None;
    }
    let issuer = cred.leaf.issuer.clone();
    let accepted = accepted.clone();
    Some(if cred.chain_len > 1 {
        KeyFault::IssuerNotAccepted { issuer, accepted }
    } else {
        KeyFault::MissingIntermediate { issuer, accepted }
    })
}
