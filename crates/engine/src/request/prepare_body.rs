//! A profile's body made ready to send: raw text with its media type, form fields, multipart
//! parts with their files checked (there, a regular file, under the size limit) before anything
//! is sent.

use std::path::PathBuf;

use serde::Serialize;

use crate::request::prepare_error::PrepareError;
use crate::request::profile::{BodyType, Profile};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum PreparedBody {
    None,
    Bytes {
        content_type: Option<String>,
        data: String,
    },
    Multipart {
        parts: Vec<PreparedPart>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PreparedPart {
    Text {
        name: String,
        text: String,
    },
    File {
        name: String,
        path: PathBuf,
        filename: String,
        content_type: Option<String>,
        size: u64,
    },
}

pub(crate) fn prepare_body(
    profile: &Profile,
    ex: &dyn Fn(&str, &str) -> Result<String, PrepareError>,
) -> Result<PreparedBody, PrepareError> {
    let body = &profile.body;
    Ok(match body.kind {
        BodyType::None => PreparedBody::None,
        BodyType::Raw => {
            let content_type = body.content_type.clone().filter(|c| !c.is_empty());
            if let Some(ct) = &content_type {
                check_content_type(ct)?;
            }
            PreparedBody::Bytes {
                content_type,
                data: ex("body", body.text.as_deref().unwrap_or(""))?,
            }
        }
        BodyType::Form => {
            let mut pairs = Vec::new();
            for (k, v) in &body.fields {
                pairs.push((ex("form field", k)?, ex("form field", v)?));
            }
            let data = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            PreparedBody::Bytes {
                content_type: Some("application/x-www-form-urlencoded".into()),
                data,
            }
        }
        BodyType::Multipart => {
            let mut parts = Vec::new();
            for part in &body.parts {
                parts.push(prepare_part(profile, part, ex)?);
            }
            PreparedBody::Multipart { parts }
        }
    })
}

fn prepare_part(
    profile: &Profile,
    part: &crate::request::profile::Part,
    ex: &dyn Fn(&str, &str) -> Result<String, PrepareError>,
) -> Result<PreparedPart, PrepareError> {
    let name = ex("multipart part name", &part.name)?;
    if let Some(text) = &part.text {
        return Ok(PreparedPart::Text {
            name,
            text: ex("multipart part", text)?,
        });
    }
    let raw = part.file.as_deref().unwrap_or_default();
    let path = profile.file_path(&ex("multipart file", raw)?);
    let meta = std::fs::metadata(&path).map_err(|e| PrepareError::MissingFile {
        name: name.clone(),
        path: path.display().to_string(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => "does not exist".into(),
            _ => format!("cannot be read ({e})"),
        },
    })?;
    if !meta.is_file() {
        return Err(PrepareError::MissingFile {
            name,
            path: path.display().to_string(),
            reason: "is not a regular file (a folder, device or FIFO)".into(),
        });
    }
    if meta.len() > PART_FILE_LIMIT {
        return Err(PrepareError::MissingFile {
            name,
            path: path.display().to_string(),
            reason: format!(
                "is {}, over the {} a part may carry",
                crate::size::human(meta.len()),
                crate::size::ByteSize(PART_FILE_LIMIT)
            ),
        });
    }
    if let Some(ct) = &part.content_type {
        check_content_type(ct)
            .map_err(|e| PrepareError::Invalid(format!("multipart part {name:?}: {e}")))?;
    }
    let filename = part.filename.clone().unwrap_or_else(|| {
        path.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into())
    });
    Ok(PreparedPart::File {
        name,
        path,
        filename,
        content_type: part.content_type.clone(),
        size: meta.len(),
    })
}

/// Bodies and multipart files read from disk stop here (`--data-file`, `--part name=@file`).
pub const PART_FILE_LIMIT: u64 = 64 << 20;

/// A content type must be a media type (`type/subtype; params`) on one line.
pub use crate::request::profile_check::check_content_type;
