//! An I/O error kept as the `#[source]` of a core error: cheap to clone, compared by kind and words.

use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct IoCause(Arc<std::io::Error>);

impl IoCause {
    pub fn kind(&self) -> std::io::ErrorKind {
        self.0.kind()
    }

    /// A cause in our own words, where the operating system's would mislead.
    pub fn said(kind: std::io::ErrorKind, words: &str) -> IoCause {
        IoCause::from(std::io::Error::new(kind, words.to_string()))
    }
}

impl From<std::io::Error> for IoCause {
    fn from(e: std::io::Error) -> IoCause {
        IoCause(Arc::new(e))
    }
}

impl std::fmt::Display for IoCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for IoCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

impl PartialEq for IoCause {
    fn eq(&self, other: &IoCause) -> bool {
        self.kind() == other.kind() && self.to_string() == other.to_string()
    }
}

/// Any error kept as a `#[source]` (SQLite's, or an I/O error) beside our own words for it.
#[derive(Debug, Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Cause {
    pub fn of(e: impl std::error::Error + Send + Sync + 'static) -> Cause {
        Cause(Arc::new(e))
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// A host name the resolver could not turn into addresses: raised by certbench's own resolver
/// (and the probe's lookup), so a failure is known to be DNS by its type, never by its words.
#[derive(Debug)]
pub struct NameNotResolved {
    pub host: String,
    pub source: std::io::Error,
}

impl std::fmt::Display for NameNotResolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot resolve {}: {}", self.host, self.source)
    }
}

impl std::error::Error for NameNotResolved {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
