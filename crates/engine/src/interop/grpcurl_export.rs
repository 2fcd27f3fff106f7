//! A prepared gRPC call as a grpcurl command: the keystore's certificate, key and CA files, the
//! schema's source, the metadata (secrets withheld), the messages and the deadline; every word
//! single-quoted.

use crate::history::redact::Redactor;
use crate::interop::curl_export::{Exported, Files, q};
use crate::request::grpc::SchemaSource;
use crate::request::prepare::PreparedRequest;

const PLACEHOLDER: &str = "<redacted>";

/// The grpcurl command for `req` (a gRPC call); None when it is not one or names no method.
pub fn export(req: &PreparedRequest, files: &Files) -> Option<Exported> {
    let plan = req.grpc.as_ref()?;
    let call = plan.call.as_ref()?;
    let url = req.parsed_url();
    let mut out = Exported::default();
    let mut w: Vec<String> = vec!["grpcurl".into()];
    if plan.plaintext {
        w.push("-plaintext".into());
    }
    for (flag, file) in [
        ("-cert", &files.cert),
        ("-key", &files.key),
        ("-cacert", &files.cacert),
    ] {
        if let Some(f) = file {
            w.extend([flag.into(), q(&f.display().to_string())]);
        }
    }
    if !req.options.verify_tls {
        w.push("-insecure".into());
    }
    match &plan.schema {
        SchemaSource::Reflection => {}
        SchemaSource::Protos {
            files,
            import_paths,
        } => {
            for p in import_paths {
                w.extend(["-import-path".into(), q(&p.display().to_string())]);
            }
            for f in files {
                w.extend(["-proto".into(), q(&f.display().to_string())]);
            }
        }
        SchemaSource::Protoset(f) => w.extend(["-protoset".into(), q(&f.display().to_string())]),
    }
    let redactor = Redactor::for_request(req);
    for (k, v) in &req.headers {
        if k.eq_ignore_ascii_case("user-agent") {
            continue;
        }
        w.push("-H".into());
        if redactor.is_secret(k) {
            out.withheld.push(format!("the value of metadata {k}"));
            w.push(q(&format!("{k}: {PLACEHOLDER}")));
        } else {
            w.push(q(&format!("{k}: {v}")));
        }
    }
    w.extend([
        "-max-time".into(),
        req.options.timeout_secs.to_string(),
        "-max-msg-sz".into(),
        plan.max_message_bytes.to_string(),
    ]);
    let data: Vec<String> = plan
        .messages
        .iter()
        .map(|m| redactor.text(m).into_owned())
        .collect();
    if data.iter().zip(&plan.messages).any(|(a, b)| a != b) {
        out.withheld
            .push("the messages' secret values (replace <redacted> in -d)".into());
    }
    w.extend(["-d".into(), q(&data.join("\n"))]);
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or_default();
    w.push(q(&format!("{host}:{port}")));
    w.push(q(&call.to_string()));
    out.command = w.join(" ");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::profile::Profile;
    use crate::request::vars::Vars;

    #[test]
    fn a_call_becomes_grpcurl_words_with_the_files_and_no_secret() {
        let mut p = Profile {
            url: "grpcs://api.test:50051/routeguide.RouteGuide/GetFeature".into(),
            ..Profile::default()
        };
        p.add_header("Authorization", "Bearer s3cret");
        p.add_header("x-tenant", "it's");
        p.grpc.proto = vec!["protos/route_guide.proto".into()];
        p.grpc.import_path = vec!["protos".into()];
        p.body.text = Some(r#"{"latitude": 1}"#.into());
        let req = crate::request::prepare::prepare(&p, &Vars::new()).unwrap();
        let files = Files {
            cert: Some("/k/cert.pem".into()),
            key: Some("/k/key.pem".into()),
            cacert: None,
        };
        let e = export(&req, &files).unwrap();
        assert_eq!(
            e.command,
            "grpcurl -cert '/k/cert.pem' -key '/k/key.pem' -import-path 'protos' -proto 'protos/route_guide.proto' -H 'Authorization: <redacted>' -H 'x-tenant: it'\\''s' -max-time 40 -max-msg-sz 4194304 -d '{\"latitude\": 1}' 'api.test:50051' 'routeguide.RouteGuide/GetFeature'"
        );
        assert!(!e.command.contains("s3cret"));
        assert_eq!(e.withheld, ["the value of metadata Authorization"]);
    }
}
