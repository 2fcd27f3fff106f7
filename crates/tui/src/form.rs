//! The request form being edited: its fields and tabs, built from a profile and read back into one.

use engine::request::profile::{BodyType, FileStamp, HeaderValues, Part, Profile};
use ratatui_textarea::TextArea;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Method,
    Url,
    Tab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormTab {
    Headers,
    Query,
    Body,
    Options,
}

impl FormTab {
    pub const ALL: [FormTab; 4] = [
        FormTab::Headers,
        FormTab::Query,
        FormTab::Body,
        FormTab::Options,
    ];
    pub fn label(self) -> &'static str {
        match self {
            FormTab::Headers => "Headers",
            FormTab::Query => "Query",
            FormTab::Body => "Body",
            FormTab::Options => "Options",
        }
    }
}

/// The request being edited: a Profile plus the text areas its text fields live in.
#[derive(Debug)]
pub struct Form {
    pub base: Profile,
    pub url: TextArea<'static>,
    pub headers: TextArea<'static>,
    pub query: TextArea<'static>,
    pub body: TextArea<'static>,
    pub dirty: bool,
    pub errors: Vec<(Field, FormTab, String)>,
    /// What the profile's file held when the form was filled from it (None: a new profile);
    /// a save goes over that file only.
    pub stamp: Option<FileStamp>,
}

fn area(lines: Vec<String>) -> TextArea<'static> {
    TextArea::new(if lines.is_empty() {
        vec![String::new()]
    } else {
        lines
    })
}

impl Form {
    pub fn from_profile(p: &Profile) -> Form {
        let headers = if p.headers.is_empty() {
            "{}".to_string()
        } else {
            serde_json::to_string_pretty(&headers_json(p)).unwrap_or_else(|_| "{}".into())
        };
        let query = p.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let body: Vec<String> = match p.body.kind {
            BodyType::None => Vec::new(),
            BodyType::Raw => p
                .body
                .text
                .clone()
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect(),
            BodyType::Form => p
                .body
                .fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
            BodyType::Multipart => p
                .body
                .parts
                .iter()
                .map(|part| match (&part.text, &part.file) {
                    (_, Some(f)) => format!("{}=@{f}", part.name),
                    (Some(t), None) => format!("{}={t}", part.name),
                    (None, None) => format!("{}=", part.name),
                })
                .collect(),
        };
        let mut form = Form {
            base: p.clone(),
            url: area(vec![p.url.clone()]),
            headers: area(headers.lines().map(str::to_string).collect()),
            query: area(query),
            body: area(body),
            dirty: false,
            errors: Vec::new(),
            stamp: None,
        };
        form.url.move_cursor(ratatui_textarea::CursorMove::End);
        form.validate();
        form
    }

    /// The profile the form describes, or the first error, with the tab that shows it.
    pub fn to_profile(&self) -> Result<Profile, FormError> {
        let mut p = self.base.clone();
        p.url = self.url.lines().join("").trim().to_string();
        let text = self.headers.lines().join("\n");
        let value: serde_json::Value = if text.trim().is_empty() {
            serde_json::json!({})
        } else {
            serde_json::from_str(&text).map_err(|e| {
                FormError::at(
                    FormTab::Headers,
                    format!(
                        "Headers: invalid JSON at line {}, column {}: {e}",
                        e.line(),
                        e.column()
                    ),
                )
            })?
        };
        let obj = value.as_object().ok_or_else(|| {
            FormError::at(
                FormTab::Headers,
                "Headers: must be a JSON object like {\"Accept\": \"application/json\"}",
            )
        })?;
        p.headers.clear();
        for (k, v) in obj {
            engine::request::profile::check_header_name(k)
                .map_err(|e| FormError::at(FormTab::Headers, format!("Headers: {e}")))?;
            let hv = match v {
                serde_json::Value::String(s) => HeaderValues::One(s.clone()),
                serde_json::Value::Array(a) => HeaderValues::Many(
                    a.iter()
                        .map(|x| {
                            x.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| x.to_string())
                        })
                        .collect(),
                ),
                other => HeaderValues::One(other.to_string()),
            };
            p.headers.insert(k.clone(), hv);
        }
        p.query = pairs(self.query.lines(), FormTab::Query)?;
        let body_lines = self.body.lines();
        match p.body.kind {
            BodyType::None => {}
            BodyType::Raw => p.body.text = Some(body_lines.join("\n")),
            BodyType::Form => p.body.fields = pairs(body_lines, FormTab::Body)?,
            BodyType::Multipart => {
                p.body.parts = pairs(body_lines, FormTab::Body)?
                    .into_iter()
                    .map(|(name, v)| match v.strip_prefix('@') {
                        Some(f) => Part {
                            name,
                            text: None,
                            file: Some(f.to_string()),
                            filename: None,
                            content_type: None,
                        },
                        None => Part {
                            name,
                            text: Some(v),
                            file: None,
                            filename: None,
                            content_type: None,
                        },
                    })
                    .collect();
            }
        }
        // The profile's rules, each at the place that shows its field.
        let url_row = |e: String| FormError {
            tab: None,
            message: e,
        };
        engine::request::profile::check_method(&p.method).map_err(|e| url_row(e.into()))?;
        if p.url.is_empty() {
            return Err(url_row("url is empty".into()));
        }
        engine::request::profile::check_timeout(p.options.timeout_secs)
            .map_err(|e| FormError::at(FormTab::Options, e))?;
        if let Some(size) = p.options.max_body {
            engine::request::profile::check_max_body(size)
                .map_err(|e| FormError::at(FormTab::Options, e))?;
        }
        p.validate_body()
            .map_err(|e| FormError::at(FormTab::Body, e))?;
        p.validate().map_err(|e| FormError {
            tab: Some(FormTab::Options),
            message: e.to_string(),
        })?;
        Ok(p)
    }

    /// Recomputes the errors shown at the fields.
    pub fn validate(&mut self) {
        self.errors.clear();
        let url = self.url.lines().join("");
        if url.trim().is_empty() {
            self.errors.push((
                Field::Url,
                FormTab::Headers,
                "type a URL, or paste a curl command".to_string(),
            ));
        } else if let Err(e) = engine::request::prepare::parse_url(&url)
            .map(|_| ())
            .or_else(|e| if url.contains("${") { Ok(()) } else { Err(e) })
        {
            self.errors
                .push((Field::Url, FormTab::Headers, e.to_string()));
        }
        // The URL row's own errors are checked above, with variables allowed for.
        if let Err(FormError {
            tab: Some(tab),
            message,
        }) = self.to_profile()
        {
            self.errors.push((Field::Tab, tab, message));
        }
    }

    pub fn error_for(&self, field: Field, tab: Option<FormTab>) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, t, _)| *f == field && tab.is_none_or(|x| x == *t))
            .map(|(_, _, e)| e.as_str())
    }
}

fn headers_json(p: &Profile) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in &p.headers {
        let value = match v {
            HeaderValues::One(s) => serde_json::Value::String(s.clone()),
            HeaderValues::Many(vs) => serde_json::Value::Array(
                vs.iter().cloned().map(serde_json::Value::String).collect(),
            ),
        };
        map.insert(k.clone(), value);
    }
    serde_json::Value::Object(map)
}

/// A form error, and the tab that shows it (None: the method and URL row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FormError {
    pub tab: Option<FormTab>,
    pub message: String,
}

impl FormError {
    fn at(tab: FormTab, message: impl Into<String>) -> FormError {
        FormError {
            tab: Some(tab),
            message: message.into(),
        }
    }
}

fn pairs(lines: &[String], tab: FormTab) -> Result<Vec<(String, String)>, FormError> {
    let what = match tab {
        FormTab::Query => "Query",
        _ => "Body",
    };
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| FormError::at(tab, format!("{what}: line {} needs key=value", i + 1)))?;
        out.push((k.trim().to_string(), v.to_string()));
    }
    Ok(out)
}
