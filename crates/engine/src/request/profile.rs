//! Profile: a saved request with all its options, one TOML file each; load, validate, save.

use std::path::Path;

pub use crate::request::file_stamp::FileStamp;
use crate::request::grpc::Grpc;
pub use crate::request::options::{DEFAULT_MAX_BODY, Options, PROFILE_FILE_LIMIT, check_max_body};
use crate::request::profile_check::syntax_error;
pub use crate::request::profile_check::{Invalid, check_header_name, check_method, check_timeout};
pub use crate::request::profile_error::ProfileError;
use crate::request::websocket::WebSocket;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::home;
pub use crate::names::Known;
use crate::request::capture::Capture;
use crate::request::expect::Expect;

/// The methods offered in the form; any other valid token is accepted too.
pub const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default)]
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, String)>,
    /// Secret header or query keys kept out of history.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redact: Vec<String>,
    /// JSON paths ignored when comparing two responses of this profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compare_ignore: Vec<String>,
    /// Whether sends of this profile are recorded in history.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub history: bool,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, HeaderValues>,
    #[serde(default)]
    pub body: Body,
    #[serde(default)]
    pub options: Options,
    /// Profiles sent first when a variable they capture is unset in the session.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// Session variables taken from the response.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub capture: IndexMap<String, Capture>,
    /// What the response must show (exit 5 when it does not).
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
    /// For a `ws://` or `wss://` URL: subprotocols and the messages to send.
    #[serde(default, skip_serializing_if = "WebSocket::is_empty")]
    pub websocket: WebSocket,
    /// For a `grpcs://` or `grpc://` URL: the schema's source and the messages to send.
    #[serde(default, skip_serializing_if = "Grpc::is_empty")]
    pub grpc: Grpc,
    /// The folder of the file it was read from, where its relative file paths start (None:
    /// built from flags or a paste, where they start at the working folder). Never written.
    #[serde(skip)]
    pub folder: Folder,
}

/// Where a profile's file was read from. Not part of what the profile says: two profiles that
/// say the same are equal wherever they were read from.
#[derive(Debug, Clone, Default)]
pub struct Folder(pub Option<std::path::PathBuf>);

impl PartialEq for Folder {
    fn eq(&self, _: &Folder) -> bool {
        true
    }
}

/// A header value in a profile: one string, or an array that repeats the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HeaderValues {
    One(String),
    Many(Vec<String>),
}

impl HeaderValues {
    pub fn values(&self) -> Vec<&str> {
        match self {
            HeaderValues::One(v) => vec![v.as_str()],
            HeaderValues::Many(vs) => vs.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyType {
    #[default]
    None,
    Raw,
    Form,
    Multipart,
}

impl BodyType {
    pub const ALL: [BodyType; 4] = [
        BodyType::None,
        BodyType::Raw,
        BodyType::Form,
        BodyType::Multipart,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BodyType::None => "none",
            BodyType::Raw => "raw",
            BodyType::Form => "form",
            BodyType::Multipart => "multipart",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    #[serde(rename = "type", default)]
    pub kind: BodyType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
}

/// One multipart part: text, or a file read from disk when the request is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

impl Body {
    /// A form body (`application/x-www-form-urlencoded`).
    pub fn form(fields: Vec<(String, String)>) -> Body {
        Body {
            kind: BodyType::Form,
            fields,
            ..Body::default()
        }
    }

    /// A multipart body.
    pub fn multipart(parts: Vec<Part>) -> Body {
        Body {
            kind: BodyType::Multipart,
            parts,
            ..Body::default()
        }
    }
}

impl Part {
    /// A text part.
    pub fn text(name: String, text: String) -> Part {
        Part {
            name,
            text: Some(text),
            file: None,
            filename: None,
            content_type: None,
        }
    }

    /// A part read from the file at `path` when the request is sent.
    pub fn file(name: String, path: String) -> Part {
        Part {
            name,
            text: None,
            file: Some(path),
            filename: None,
            content_type: None,
        }
    }
}

fn default_method() -> String {
    "GET".into()
}
fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            name: String::new(),
            description: None,
            method: default_method(),
            url: String::new(),
            credential: None,
            trust: Vec::new(),
            query: Vec::new(),
            redact: Vec::new(),
            compare_ignore: Vec::new(),
            history: true,
            headers: IndexMap::new(),
            body: Body::default(),
            options: Options::default(),
            requires: Vec::new(),
            capture: IndexMap::new(),
            expect: Expect::default(),
            websocket: WebSocket::default(),
            grpc: Grpc::default(),
            folder: Folder::default(),
        }
    }
}

impl Profile {
    /// Adds a header value; a header already there is repeated (`Many`), never replaced.
    pub fn add_header(&mut self, name: &str, value: &str) {
        let value = value.to_string();
        match self.headers.get_mut(name) {
            Some(HeaderValues::One(old)) => {
                let old = old.clone();
                self.headers
                    .insert(name.to_string(), HeaderValues::Many(vec![old, value]));
            }
            Some(HeaderValues::Many(vs)) => vs.push(value),
            None => {
                self.headers
                    .insert(name.to_string(), HeaderValues::One(value));
            }
        }
    }

    /// Whether a client certificate is offered: the switch, else on when a credential is set.
    pub fn mutual_tls(&self) -> bool {
        self.options.mutual_tls.unwrap_or(self.credential.is_some())
    }

    /// Checks every rule that does not need variables or the keystore.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let invalid = |message: String| ProfileError::Invalid {
            name: self.name.clone(),
            message,
        };
        if self.url.trim().is_empty() {
            return Err(invalid(
                "url is empty: set url = \"https://host/path\"".into(),
            ));
        }
        check_method(&self.method).map_err(|e| invalid(e.into()))?;
        check_timeout(self.options.timeout_secs).map_err(|e| invalid(e.into()))?;
        if self.options.max_events == Some(0) {
            return Err(invalid(
                "options.max_events = 0 would end every stream at once: give 1 or more".into(),
            ));
        }
        if let Some(n) = self.options.keep_events
            && !(10..=100_000).contains(&n)
        {
            return Err(invalid(format!(
                "options.keep_events = {n}: keep 10 to 100000 events"
            )));
        }
        if let Some(size) = self.options.max_body {
            check_max_body(size).map_err(|e| invalid(e.into()))?;
        }
        for name in self.headers.keys() {
            check_header_name(name).map_err(|e| invalid(e.into()))?;
        }
        for (name, c) in &self.capture {
            c.check(name).map_err(|e| invalid(e.to_string()))?;
        }
        self.expect
            .check_rules()
            .map_err(|e| invalid(e.to_string()))?;
        for r in &self.requires {
            if r == &self.name {
                return Err(invalid(format!(
                    "requires itself ({r:?}): list the profiles to send first"
                )));
            }
        }
        self.validate_body().map_err(|e| invalid(e.into()))
    }

    /// The body's own rules (multipart parts, content types).
    pub fn validate_body(&self) -> Result<(), Invalid> {
        for part in &self.body.parts {
            match (&part.text, &part.file) {
                (Some(_), Some(_)) => return Err(Invalid::PartTextAndFile(part.name.clone())),
                (None, None) => return Err(Invalid::PartEmpty(part.name.clone())),
                _ => {}
            }
        }
        Ok(())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self)
            .unwrap_or_else(|e| format!("# cannot serialise profile: {e}\n"))
    }

    /// Parses a profile; `path` and the file stem name it in errors and as its default name.
    pub fn from_toml(text: &str, path: &Path) -> Result<Profile, ProfileError> {
        let mut profile: Profile = toml::from_str(text).map_err(|e| {
            let mut err = syntax_error(text, path, &e);
            let others = crate::request::profile_check::other_unknown_keys::<Profile>(text, &e);
            if let ProfileError::Syntax { hint, .. } = &mut err
                && !others.is_empty()
            {
                hint.push_str(&format!("; also {}", others.join("; ")));
            }
            err
        })?;
        if profile.name.is_empty() {
            profile.name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
        profile.folder = Folder(
            path.parent()
                .map(|d| std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf())),
        );
        Ok(profile)
    }

    /// A file path the profile names (a multipart file, a proto file): from the profile's own
    /// folder when relative, wherever the command runs.
    pub fn file_path(&self, named: &str) -> std::path::PathBuf {
        let path = std::path::Path::new(named);
        match &self.folder.0 {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_path_buf(),
        }
    }

    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        Profile::load_stamped(path).0
    }

    /// The profile at `path` and the stamp of the bytes it was read from.
    pub fn load_stamped(path: &Path) -> (Result<Profile, ProfileError>, Option<FileStamp>) {
        // Bounded, and a FIFO or device is refused before opening: it never blocks a listing.
        let read = |e: std::io::Error| ProfileError::Read {
            path: path.display().to_string(),
            source: e.into(),
        };
        let bytes = match home::read_bounded(path, PROFILE_FILE_LIMIT) {
            Ok(b) => b,
            Err(e) => return (Err(read(e)), None),
        };
        let stamp = FileStamp::of(&bytes);
        (Profile::from_bytes(bytes, path, read), Some(stamp))
    }

    fn from_bytes(
        bytes: Vec<u8>,
        path: &Path,
        read: impl Fn(std::io::Error) -> ProfileError,
    ) -> Result<Profile, ProfileError> {
        let text = String::from_utf8(bytes).map_err(|_| {
            read(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "it is not UTF-8 text",
            ))
        })?;
        let profile = Profile::from_toml(&text, path)?;
        profile.validate()?;
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_line_and_suggests() {
        let text = "url = \"https://x\"\n[options]\ntimout_secs = 5\n";
        let err = Profile::from_toml(text, Path::new("p/a.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("p/a.toml:3:"), "{msg}");
        assert!(msg.contains("did you mean `timeout_secs`"), "{msg}");
    }

    #[test]
    fn every_unknown_key_is_reported_at_once_with_its_line() {
        let text = "url = \"https://x\"\nfoo = 1\n[options]\ntimout_secs = 5\nbar = 2\n";
        let msg = Profile::from_toml(text, Path::new("p/a.toml"))
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("p/a.toml:2: unknown field `foo`"), "{msg}");
        assert!(
            msg.contains("line 4: unknown field `timout_secs` (did you mean `timeout_secs`?)"),
            "{msg}"
        );
        assert!(msg.contains("line 5: unknown field `bar`"), "{msg}");
    }

    #[test]
    fn defaults_follow_the_design() {
        let p = Profile::from_toml("url = \"https://x\"\n", Path::new("d.toml")).unwrap();
        assert_eq!(p.name, "d");
        assert_eq!(p.method, "GET");
        assert_eq!(p.options, Options::default());
        assert_eq!(p.options.timeout_secs, 40);
        assert!(!p.mutual_tls());
        let with_key = Profile {
            credential: Some("k".into()),
            ..p.clone()
        };
        assert!(with_key.mutual_tls());
    }

    #[test]
    fn timeout_out_of_range_is_an_error_not_a_clamp() {
        for t in [0, 301] {
            let p = Profile {
                url: "https://x".into(),
                options: Options {
                    timeout_secs: t,
                    ..Options::default()
                },
                ..Profile::default()
            };
            assert!(p.validate().unwrap_err().to_string().contains("1 to 300"));
        }
    }

    #[test]
    fn round_trips_through_toml() {
        let mut p = Profile {
            name: "rt".into(),
            url: "https://x/${a}".into(),
            ..Profile::default()
        };
        p.headers.insert(
            "X-Many".into(),
            HeaderValues::Many(vec!["1".into(), "2".into()]),
        );
        p.query.push(("k".into(), "v".into()));
        p.body = Body {
            kind: BodyType::Form,
            fields: vec![("a".into(), "b".into())],
            ..Body::default()
        };
        let back = Profile::from_toml(&p.to_toml(), Path::new("rt.toml")).unwrap();
        assert_eq!(back, p);
    }
}
