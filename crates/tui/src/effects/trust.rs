//! The runner's trust work: the trusted certificates listed, added from a file or from what the
//! form's server presents, and deleted; each reported through the channel.

use super::*;
use crate::message::Message;
use crate::trust_picker::{Presented, Trusted};
use engine::keys::certinfo::CertFacts;

/// A name for a trusted certificate from `base` (a common name, a file's stem): letters,
/// digits, '.', '_' and '-', not taken yet in the keystore.
fn free_name(ks: &Keystore, base: &str) -> String {
    let mut clean: String = base
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches(['-', '.'])
        .chars()
        .take(56)
        .collect();
    if clean.is_empty() {
        clean = "trusted".into();
    }
    let taken = ks.trusted_names();
    (1..)
        .map(|i| {
            if i == 1 {
                clean.clone()
            } else {
                format!("{clean}-{i}")
            }
        })
        .find(|n| !taken.contains(n))
        .unwrap_or(clean)
}

impl Runner {
    pub(super) fn load_trusted(&self, tx: UnboundedSender<Message>) {
        let ks = self.keystore.clone();
        self.rt.spawn_blocking(move || {
            let list = ks
                .trusted_names()
                .into_iter()
                .map(|name| {
                    let about = ks
                        .trusted(&name)
                        .map_err(|e| e.to_string())
                        .and_then(|certs| {
                            let facts = certs
                                .first()
                                .map(|c| CertFacts::parse(c.as_ref()))
                                .ok_or("no certificate in it")??;
                            Ok(format!("{}, {}", facts.subject, facts.expiry_words()))
                        });
                    Trusted { name, about }
                })
                .collect();
            let _ = tx.send(Message::TrustedLoaded(list));
        });
    }

    pub(super) fn add_trusted_file(&self, tx: UnboundedSender<Message>, path: String) {
        let ks = self.keystore.clone();
        self.rt.spawn_blocking(move || {
            let file = std::path::Path::new(&path);
            let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
            let name = free_name(&ks, stem.as_deref().unwrap_or("trusted"));
            let r = engine::home::read_bounded(file, engine::home::KEY_FILE_LIMIT)
                .map_err(|e| format!("{path}: {e}"))
                .and_then(|data| {
                    ks.add_trusted(&name, &data, None, &path)
                        .map_err(|e| e.to_string())
                })
                .map(|certs| {
                    let first = certs.first().map(|c| c.subject.clone()).unwrap_or_default();
                    format!("trusted {name}: {first}")
                });
            let added = r.is_ok().then_some(name);
            let _ = tx.send(Message::TrustChanged { result: r, added });
        });
    }

    pub(super) fn fetch_presented(&self, tx: UnboundedSender<Message>, profile: Box<Profile>) {
        let (scope, ks) = (self.scope.clone(), self.keystore.clone());
        self.rt.spawn(async move {
            let r = async {
                let req = scope.preview(&profile).map_err(|f| f.diagnosis.message)?;
                let url = req.parsed_url();
                let proxy = engine::net::route::ProxyChoice::choose(req.proxy.as_deref(), |k| {
                    std::env::var(k).ok()
                })
                .map_err(|e| e.to_string())?
                .for_url(&url)
                .cloned();
                let chain = engine::net::server_chain::server_chain(
                    &url,
                    proxy.as_ref(),
                    std::time::Duration::from_secs(10),
                )
                .await
                .map_err(|e| e.to_string())?;
                Ok(chain
                    .iter()
                    .map(|der| {
                        let facts = CertFacts::parse(der.as_ref()).unwrap_or_default();
                        let expiry = facts.expiry_words();
                        Presented {
                            name: free_name(&ks, &facts.subject_cn),
                            subject: facts.subject,
                            issuer: facts.issuer,
                            sha256: facts.sha256,
                            expiry,
                            is_ca: facts.is_ca,
                            der: der.as_ref().to_vec(),
                        }
                    })
                    .collect())
            }
            .await;
            let _ = tx.send(Message::ChainPresented(r));
        });
    }

    pub(super) fn add_trusted_der(&self, tx: UnboundedSender<Message>, name: String, der: Vec<u8>) {
        let ks = self.keystore.clone();
        self.rt.spawn_blocking(move || {
            let r = ks
                .add_trusted(&name, &der, None, "the server's chain")
                .map(|certs| {
                    let c = certs.first();
                    format!(
                        "trusted {name}: {} (SHA-256 {})",
                        c.map(|c| c.subject.as_str()).unwrap_or_default(),
                        c.map(|c| c.sha256.as_str()).unwrap_or_default()
                    )
                })
                .map_err(|e| e.to_string());
            let added = r.is_ok().then_some(name);
            let _ = tx.send(Message::TrustChanged { result: r, added });
        });
    }

    pub(super) fn delete_trusted(&self, tx: UnboundedSender<Message>, name: String) {
        let ks = self.keystore.clone();
        // Clients built with it are not used again.
        self.transport.forget_keys();
        self.rt.spawn_blocking(move || {
            let r = ks
                .delete_trusted(&name)
                .map(|_| format!("deleted trusted certificate {name}"))
                .map_err(|e| e.to_string());
            let _ = tx.send(Message::TrustChanged {
                result: r,
                added: None,
            });
        });
    }
}
