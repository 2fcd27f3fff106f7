//! Runs effects on tokio (sends, saves, imports, clipboard) and reports back as Messages.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::core::keystore::Keystore;
use crate::core::prepare;
use crate::core::profile;
use crate::core::transport::Transport;
use crate::core::vars::Vars;

use super::message::Message;
use super::state::BodyLines;
use super::update::Effect;

pub struct Runner {
    pub rt: tokio::runtime::Handle,
    pub tx: UnboundedSender<Message>,
    pub transport: Arc<Transport>,
    pub keystore: Keystore,
    pub profiles_dir: PathBuf,
    pub vars: Vars,
    flights: HashMap<u64, JoinHandle<()>>,
}

impl Runner {
    pub fn new(
        rt: tokio::runtime::Handle,
        tx: UnboundedSender<Message>,
        home: &std::path::Path,
        profiles_dir: PathBuf,
        vars: Vars,
    ) -> Runner {
        let keystore = Keystore::open(home);
        Runner {
            rt,
            tx,
            transport: Arc::new(Transport::new(keystore.clone())),
            keystore,
            profiles_dir,
            vars,
            flights: HashMap::new(),
        }
    }

    pub fn run(&mut self, effect: Effect) {
        self.flights.retain(|_, h| !h.is_finished());
        let tx = self.tx.clone();
        match effect {
            Effect::Send { id, profile } => {
                let transport = self.transport.clone();
                let vars = self.vars.clone();
                let handle = self.rt.spawn(async move {
                    let result = match prepare::prepare(&profile, &vars) {
                        Ok(req) => transport.send(&req).await,
                        Err(e) => Err(crate::core::diagnose::Failure::plain(
                            crate::core::exchange::Diagnosis::new(
                                "invalid_request",
                                e.to_string(),
                                "fix the field named above",
                            ),
                        )),
                    };
                    // Pretty text and its line index are built here, once, off the draw path.
                    let result = result.map(|ex| {
                        let lines = BodyLines::new(body_text(&ex));
                        (ex, lines)
                    });
                    let _ = tx.send(Message::SendDone {
                        id,
                        result: Box::new(result),
                    });
                });
                self.flights.insert(id, handle);
            }
            Effect::Cancel { id } => {
                if let Some(h) = self.flights.remove(&id) {
                    h.abort();
                }
            }
            Effect::LoadProfiles => {
                let dir = self.profiles_dir.clone();
                self.rt.spawn_blocking(move || {
                    let _ = tx.send(Message::ProfilesLoaded(profile::load_dir(&dir)));
                });
            }
            Effect::LoadKeys => {
                let ks = self.keystore.clone();
                self.rt.spawn_blocking(move || {
                    let keys = ks
                        .list()
                        .into_iter()
                        .map(|(n, r)| (n, r.map_err(|e| e.to_string())))
                        .collect();
                    let _ = tx.send(Message::KeysLoaded(keys));
                });
            }
            Effect::SaveProfile(p) => {
                let r = p
                    .save(&self.profiles_dir)
                    .map(|path| format!("saved {}", path.display()))
                    .map_err(|e| e.to_string());
                let _ = tx.send(Message::Saved(r));
            }
            Effect::DeleteProfile(name) => {
                let path = self.profiles_dir.join(format!("{name}.toml"));
                let r = std::fs::remove_file(&path)
                    .map(|_| format!("deleted profile {name}"))
                    .map_err(|e| format!("cannot delete {}: {e}", path.display()));
                let _ = tx.send(Message::Deleted(r));
            }
            Effect::DeleteKey(name) => {
                let r = self
                    .keystore
                    .delete(&name)
                    .map(|_| format!("deleted key {name}"))
                    .map_err(|e| e.to_string());
                let _ = tx.send(Message::Deleted(r));
            }
            Effect::Import {
                kind,
                path,
                password,
                name,
            } => {
                let ks = self.keystore.clone();
                self.rt.spawn_blocking(move || {
                    let _ = tx.send(Message::Imported(import(
                        &ks, kind, &path, &password, &name,
                    )));
                });
            }
            Effect::Copy(text) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
                let mut out = std::io::stdout();
                let _ = write!(out, "\x1b]52;c;{b64}\x07");
                let _ = out.flush();
            }
            Effect::WriteBody { name, bytes } => {
                let r = crate::core::home::write_atomic(std::path::Path::new(&name), &bytes, 0o644)
                    .map(|_| format!("wrote {} bytes to {name}", bytes.len()))
                    .map_err(|e| format!("cannot write {name}: {e}"));
                let _ = tx.send(Message::Wrote(r));
            }
            Effect::ExportKey(name) => {
                let file = format!("{name}-chain.pem");
                let r = self
                    .keystore
                    .export_pem(&name)
                    .map_err(|e| e.to_string())
                    .and_then(|pem| {
                        crate::core::home::write_atomic(
                            std::path::Path::new(&file),
                            pem.as_bytes(),
                            0o644,
                        )
                        .map_err(|e| e.to_string())
                    })
                    .map(|_| format!("exported the public chain of {name} to {file}"));
                let _ = tx.send(Message::Wrote(r));
            }
        }
    }
}

fn body_text(ex: &crate::core::exchange::Exchange) -> String {
    use crate::core::exchange::BodyView;
    match &ex.view {
        BodyView::Binary => format!(
            "({} bytes of binary data; w saves it to a file)",
            ex.body.len()
        ),
        BodyView::Empty => String::new(),
        v => v.text().to_string(),
    }
}

/// The wizard's import: a PKCS#12 file, or "cert.pem,key.pem" / "cert.der,key.der".
fn import(
    ks: &Keystore,
    kind: usize,
    path: &str,
    password: &str,
    name: &str,
) -> Result<String, String> {
    let read = |p: &str| std::fs::read(p.trim()).map_err(|e| format!("cannot read {p}: {e}"));
    let pw = (!password.is_empty()).then_some(password);
    let info = if kind == 0 {
        ks.import_p12(name, &read(path)?, password, path)
            .map_err(|e| e.to_string())?
    } else {
        let (cert, key) = path
            .split_once(',')
            .ok_or("give the certificate and key files as CERT,KEY")?;
        ks.import_pem(name, &read(cert)?, &read(key)?, pw, key)
            .map_err(|e| e.to_string())?
    };
    Ok(format!(
        "imported key {}: {} ({})",
        info.name,
        info.leaf.subject_cn,
        info.leaf.expiry_words()
    ))
}
