//! The NSS key log: TLS secrets written for Wireshark, only to a file that is safe to write.

use crate::net::recording::HandshakeLog;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// The NSS key-log file Wireshark reads: `LABEL CLIENT_RANDOM SECRET` in hex, one per line,
/// appended to a file created 0600 (it decrypts every connection it logs).
#[derive(Debug)]
pub(super) struct NssKeyLog {
    file: Mutex<std::fs::File>,
    log: Arc<HandshakeLog>,
}

impl NssKeyLog {
    /// A key log is ours alone: created new (0600, `O_EXCL`), or appended to only when it is a
    /// regular file this user owns that nobody else can read; never through a symlink.
    pub(super) fn create(
        path: &std::path::Path,
        log: Arc<HandshakeLog>,
    ) -> std::io::Result<NssKeyLog> {
        use std::io::{Error, ErrorKind};
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        let refuse = |why: &str| Err(Error::new(ErrorKind::PermissionDenied, why.to_string()));
        let opened = std::fs::OpenOptions::new()
            .create_new(true)
            .append(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path);
        let file = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                let meta = std::fs::symlink_metadata(path)?;
                if meta.file_type().is_symlink() {
                    return refuse("it is a symlink; give the key log's own path");
                }
                if !meta.is_file() {
                    return refuse("it is not a regular file (a device, FIFO or folder)");
                }
                // SAFETY: geteuid has no preconditions.
                #[allow(unsafe_code, reason = "std does not tell this process's user id")]
                let me = unsafe { libc::geteuid() };
                if meta.uid() != me {
                    return refuse("it belongs to another user");
                }
                if meta.mode() & 0o077 != 0 {
                    return refuse(
                        "others can read it (it is not 0600): delete it, or chmod 600 it first",
                    );
                }
                std::fs::OpenOptions::new()
                    .append(true)
                    .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                    .open(path)?
            }
            Err(e) => return Err(e),
        };
        Ok(NssKeyLog {
            file: Mutex::new(file),
            log,
        })
    }
}

impl rustls::KeyLog for NssKeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        use std::io::Write;
        let line = format!(
            "{label} {} {}\n",
            hex::encode(client_random),
            hex::encode(secret)
        );
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if f.write_all(line.as_bytes()).is_err() {
            self.log.keylog_lost.fetch_add(1, Ordering::SeqCst);
        }
    }
}
