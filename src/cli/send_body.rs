//! `send`'s body flags on the profile: `--data`, `--data-file`, `--form`, `--part` and
//! `--content-type`.

use std::path::Path;

use engine::request::profile::{Body, BodyType, Part, Profile};

/// `send`'s body flags, as given.
pub(super) struct BodyFlags<'a> {
    pub data: Option<&'a str>,
    pub data_file: Option<&'a Path>,
    pub content_type: Option<&'a str>,
    pub form: &'a [String],
    pub part: &'a [String],
}

pub(super) fn body_overrides(p: &mut Profile, args: &BodyFlags<'_>) -> Result<(), String> {
    if let Some(file) = &args.data_file {
        let bytes = engine::home::read_bounded(file, engine::request::prepare::PART_FILE_LIMIT)
            .map_err(|e| format!("cannot read --data-file {}: {e}", file.display()))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            format!(
                "--data-file {} is not UTF-8 text: send binary data as a multipart file (--part name=@{})",
                file.display(),
                file.display()
            )
        })?;
        p.body = Body {
            kind: BodyType::Raw,
            content_type: args.content_type.map(str::to_string),
            text: Some(text),
            ..Body::default()
        };
    } else if let Some(data) = &args.data {
        p.body = Body {
            kind: BodyType::Raw,
            content_type: args.content_type.map(str::to_string),
            text: Some(data.to_string()),
            ..Body::default()
        };
    } else if !args.form.is_empty() {
        let mut fields = Vec::new();
        for f in args.form {
            let (k, v) = split_pair("--form", f, '=')?;
            fields.push((k.into(), v.into()));
        }
        p.body = Body {
            kind: BodyType::Form,
            fields,
            ..Body::default()
        };
    } else if !args.part.is_empty() {
        let mut parts = Vec::new();
        for part in args.part {
            let (name, v) = split_pair("--part", part, '=')?;
            let (text, file) = match v.strip_prefix('@') {
                Some(path) => (None, Some(path.to_string())),
                None => (Some(v.to_string()), None),
            };
            parts.push(Part {
                name: name.into(),
                text,
                file,
                filename: None,
                content_type: None,
            });
        }
        p.body = Body {
            kind: BodyType::Multipart,
            parts,
            ..Body::default()
        };
    } else if let Some(ct) = &args.content_type {
        p.body.content_type = Some(ct.to_string());
    }
    if let Some(ct) = &args.content_type {
        engine::request::prepare::check_content_type(ct)
            .map_err(|e| format!("--content-type: {e}"))?;
    }
    Ok(())
}

pub(super) fn split_pair<'a>(
    flag: &str,
    text: &'a str,
    sep: char,
) -> Result<(&'a str, &'a str), String> {
    text.split_once(sep)
        .ok_or_else(|| format!("{flag} {text:?}: expected NAME{sep}VALUE"))
}
