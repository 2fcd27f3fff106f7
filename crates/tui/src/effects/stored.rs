//! The runner's work on what is stored: comparing history entries, switching environments,
//! placing a curl command's files in the keystore, and exporting a key.

use super::*;
use crate::message::Message;
use crate::state::EnvView;
use engine::diagnose::Failure;
use engine::exchange::Exchange;
use engine::request::environment::Environment;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

impl Runner {
    pub(super) fn compare(
        &mut self,
        tx: UnboundedSender<Message>,
        a: Side,
        b: Side,
        labels: (String, String),
        ignore: Vec<String>,
    ) {
        let h = self.history.clone();
        self.rt.spawn_blocking(move || {
            let r = (|| {
                let mut ignore = ignore;
                let mut side = |side: Side| -> Result<Arc<Result<Exchange, Failure>>, String> {
                    match side {
                        Side::Held(r) => Ok(r),
                        Side::Stored(id) => {
                            let h = h.as_ref().ok_or("history is unavailable")?;
                            let e = h.get(id).map_err(|e| e.to_string())?;
                            for rule in e.profile.compare_ignore {
                                if !ignore.contains(&rule) {
                                    ignore.push(rule);
                                }
                            }
                            Ok(Arc::new(e.result))
                        }
                    }
                };
                let (ra, rb) = (side(a)?, side(b)?);
                Ok(compare_view(labels, ra, rb, ignore))
            })();
            let _ = tx.send(Message::Compared(r));
        });
    }

    pub(super) fn import_curl_files(
        &mut self,
        tx: UnboundedSender<Message>,
        cert: Option<engine::interop::curl::CertFiles>,
        cacert: Option<PathBuf>,
    ) {
        let (ks, transport) = (self.keystore.clone(), self.transport.clone());
        self.rt.spawn_blocking(move || {
            use engine::interop::curl;
            use engine::keys::placement::Placed;
            let mut said = Vec::new();
            let mut key = None;
            let mut trust = None;
            if let Some(files) = &cert {
                said.push(match curl::import_key(&ks, files, None) {
                    Ok((placed, _)) => {
                        key = Some(placed.name().to_string());
                        match placed {
                            Placed::Reused { name } => {
                                format!("key {name} already holds this certificate")
                            }
                            Placed::Stored { name, wanted } if name != wanted => format!(
                                "imported key {name} ({wanted} holds a different certificate)"
                            ),
                            Placed::Stored { name, .. } => format!("imported key {name}"),
                        }
                    }
                    Err(e) => format!("key not imported: {e} (Ctrl-K, a imports it)"),
                });
            }
            if let Some(ca) = &cacert {
                said.push(match curl::import_trust(&ks, ca) {
                    Ok(placed) => {
                        trust = Some(placed.name().to_string());
                        match placed {
                            Placed::Reused { name } => {
                                format!("trusting {name} (already stored)")
                            }
                            Placed::Stored { name, .. } => format!("trusting {name}"),
                        }
                    }
                    Err(e) => format!("CA not imported: {e}"),
                });
            }
            transport.forget_keys();
            let _ = tx.send(Message::CurlFilesPlaced {
                key,
                trust,
                said: said.join("; "),
            });
        });
    }

    pub(super) fn export_key(&mut self, tx: UnboundedSender<Message>, name: String) {
        let file = format!("{name}-chain.pem");
        let r = self
            .keystore
            .export_pem(&name)
            .map_err(|e| e.to_string())
            .and_then(|pem| {
                engine::home::write_atomic(std::path::Path::new(&file), pem.as_bytes(), 0o644)
                    .map_err(|e| e.to_string())
            })
            .map(|_| format!("exported the public chain of {name} to {file}"));
        let _ = tx.send(Message::Wrote(r));
    }

    pub(super) fn switch_env(&mut self, tx: UnboundedSender<Message>, name: Option<String>) {
        let r = match &name {
            None => Ok(None),
            Some(n) => Environment::load(&self.profiles_dir, n)
                .map(Some)
                .map_err(|e| e.to_string()),
        };
        let _ = tx.send(Message::EnvSwitched(r.map(|env| {
            let view = EnvView {
                name: env.as_ref().map(|e| e.name.clone()),
                credential: env.as_ref().and_then(|e| e.credential.clone()),
                trust: env.as_ref().map(|e| e.trust.clone()).unwrap_or_default(),
                proxy: env.as_ref().and_then(|e| e.proxy.clone()),
            };
            self.scope.environment = env;
            view
        })));
    }
}
