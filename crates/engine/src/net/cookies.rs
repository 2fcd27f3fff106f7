//! The cookie jar: RFC 6265 rules from `cookie_store` (one cookie per name, domain and path;
//! expiry honoured), kept in memory for a session and saved to a `--cookie-jar` file.

use std::path::Path;
use std::sync::Mutex;

use reqwest::header::HeaderValue;

/// A cookie jar shared by the sends that share cookies (and by one send's redirects).
#[derive(Debug, Default)]
pub struct CookieJar {
    store: Mutex<cookie_store::CookieStore>,
}

/// Cookie files are small; more than this is not one.
const FILE_LIMIT: u64 = 8 << 20;

impl CookieJar {
    fn store(&self) -> std::sync::MutexGuard<'_, cookie_store::CookieStore> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Loads a jar file written by `save` in place of the jar's cookies; a missing file is an empty
    /// jar. Expired cookies are dropped. A file from an older certbench (a list of
    /// `[url, set-cookie]` pairs, appended to on every send) is read too, later lines winning.
    pub fn load(&self, path: &Path) -> Result<(), JarError> {
        use crate::destination::{Destination, resolve};
        // A device or a pipe (curl's `-c /dev/null`) holds no jar to read: start empty; the
        // jar is written there in place at the end. A folder is refused before any send.
        match resolve(path) {
            Ok(Destination::InPlace(_)) => return Ok(()),
            Ok(Destination::Replace(_)) => {}
            Err(reason) => {
                return Err(JarError::NotAJar {
                    path: path.to_path_buf(),
                    reason,
                });
            }
        }
        let data = match crate::home::read_bounded(path, FILE_LIMIT) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => {
                return Err(JarError::Unreadable {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        if let Ok(pairs) = serde_json::from_slice::<Vec<(String, String)>>(&data) {
            let mut store = self.store();
            for (url, set_cookie) in pairs {
                if let Ok(url) = url::Url::parse(&url) {
                    let _ = store.parse(&set_cookie, &url);
                }
            }
            return Ok(());
        }
        let loaded = cookie_store::serde::json::load(std::io::Cursor::new(data)).map_err(|e| {
            JarError::NotCertbench {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }
        })?;
        *self.store() = loaded;
        Ok(())
    }

    /// Writes every unexpired cookie, session cookies included (as curl's `-c` does), to `path`:
    /// 0600, atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let live = {
            let store = self.store();
            cookie_store::CookieStore::from_cookies(
                store.iter_unexpired().cloned().map(Ok::<_, ()>),
                false,
            )
            .unwrap_or_default()
        };
        let mut text = Vec::new();
        cookie_store::serde::json::save_incl_expired_and_nonpersistent(&live, &mut text)
            .map_err(std::io::Error::other)?;
        crate::home::write_atomic(path, &text, 0o600)
    }

    /// How many unexpired cookies the jar holds.
    pub fn len(&self) -> usize {
        self.store().iter_unexpired().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl reqwest::cookie::CookieStore for CookieJar {
    fn set_cookies(&self, headers: &mut dyn Iterator<Item = &HeaderValue>, url: &url::Url) {
        let cookies = headers.filter_map(|h| {
            let text = h.to_str().ok()?;
            cookie_store::RawCookie::parse(text.to_owned()).ok()
        });
        self.store().store_response_cookies(cookies, url);
    }

    fn cookies(&self, url: &url::Url) -> Option<HeaderValue> {
        let line = self
            .store()
            .get_request_values(url)
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        if line.is_empty() {
            None
        } else {
            HeaderValue::from_str(&line).ok()
        }
    }
}

/// Why a cookie jar file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum JarError {
    /// A folder, or a link that leads nowhere certbench writes.
    #[error("cannot use {} as a cookie jar: {reason}", path.display())]
    NotAJar {
        path: std::path::PathBuf,
        reason: crate::destination::DestinationError,
    },
    #[error("cannot read cookie jar {}: {source}", path.display())]
    Unreadable {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cookie jar {} is not a certbench cookie file ({reason}): give another path, or delete it",
        path.display()
    )]
    NotCertbench {
        path: std::path::PathBuf,
        reason: String,
    },
}
