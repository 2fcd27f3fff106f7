//! A grpcurl command (as pasted: shell quoting, `\` line breaks) read into a gRPC profile: the
//! address and method, `-cert`/`-key`/`-cacert` files for the keystore, metadata, messages,
//! the schema's source and the deadline. What certbench does not map is listed, never dropped.

use crate::interop::not_a_command::NotACommand;
use std::path::PathBuf;

use crate::interop::collection::file_safe;
use crate::interop::curl::Imported;
use crate::interop::curl_files::CertFiles;
use crate::request::profile::{Body, BodyType, Profile};

/// Flags that take a value.
const WITH_VALUE: [&str; 20] = [
    "cert",
    "key",
    "cacert",
    "H",
    "rpc-header",
    "reflect-header",
    "d",
    "proto",
    "import-path",
    "protoset",
    "max-time",
    "connect-timeout",
    "keepalive-time",
    "max-msg-sz",
    "authority",
    "servername",
    "user-agent",
    "format",
    "protoset-out",
    "unix",
];

/// Flags about grpcurl's own output, with nothing to map.
const OUTPUT_ONLY: [&str; 6] = [
    "v",
    "vv",
    "emit-defaults",
    "format-error",
    "msg-template",
    "help",
];

/// Parses a grpcurl command line.
pub fn parse(command: &str) -> Result<Imported, NotACommand> {
    let (words, env) = crate::interop::shell_words::command_args(command, "grpcurl")?;
    let mut args = words.into_iter();
    let mut p = Profile::default();
    let (mut cert, mut key, mut cacert) = (None::<PathBuf>, None::<PathBuf>, None);
    let mut plaintext = false;
    let mut data: Option<String> = None;
    let mut positional = Vec::new();
    let mut unknown = Vec::new();
    let mut ignored = Vec::new();
    while let Some(word) = args.next() {
        let Some(flag) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) else {
            positional.push(word);
            continue;
        };
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (flag.to_string(), None),
        };
        let value = if WITH_VALUE.contains(&name.as_str()) {
            match inline.or_else(|| args.next()) {
                Some(v) => Some(v),
                None => return Err(NotACommand::NeedsValue(format!("-{name}"))),
            }
        } else {
            None
        };
        let v = value.unwrap_or_default();
        match name.as_str() {
            "cert" => cert = Some(PathBuf::from(v)),
            "key" => key = Some(PathBuf::from(v)),
            "cacert" => cacert = Some(PathBuf::from(v)),
            "plaintext" => plaintext = true,
            "insecure" => p.options.verify_tls = false,
            "H" | "rpc-header" => {
                let (k, val) = v.split_once(':').ok_or_else(|| NotACommand::Header {
                    option: "-H",
                    header: v.clone(),
                })?;
                p.add_header(k.trim(), val.trim());
            }
            "user-agent" => p.add_header("User-Agent", &v),
            "d" if v == "@" => unknown
                .push("-d @ (messages on stdin): put them in the profile's [grpc] messages".into()),
            "d" => data = Some(v),
            "proto" => p.grpc.proto.push(v),
            "import-path" => p.grpc.import_path.push(v),
            "protoset" if p.grpc.protoset.is_none() => p.grpc.protoset = Some(v),
            "protoset" => unknown.push(format!("-protoset {v} (one protoset is taken)")),
            "max-time" => {
                let secs: f64 = v.parse().map_err(|_| NotACommand::NotANumber {
                    option: "-max-time",
                    value: v.clone(),
                    unit: "seconds",
                })?;
                p.options.timeout_secs = (secs.ceil() as u32).clamp(1, 300);
            }
            "max-msg-sz" => {
                let n: u64 = v.parse().map_err(|_| NotACommand::NotANumber {
                    option: "-max-msg-sz",
                    value: v.clone(),
                    unit: "bytes",
                })?;
                p.grpc.max_message_bytes = Some(crate::size::ByteSize(n));
            }
            "format" if v == "json" => {}
            "connect-timeout" | "keepalive-time" => ignored.push(format!(
                "-{name} {v} (the profile's timeout covers the call)"
            )),
            n if OUTPUT_ONLY.contains(&n) => ignored.push(format!("-{n}")),
            n if WITH_VALUE.contains(&n) => unknown.push(format!("-{n} {v}")),
            n => unknown.push(format!("-{n}")),
        }
    }
    let mut positional = positional.into_iter();
    let address = positional.next().ok_or(NotACommand::NoAddress)?;
    let method = positional.next().ok_or(NotACommand::NoMethod)?;
    if matches!(method.as_str(), "list" | "describe") {
        return Err(NotACommand::NotACall {
            verb: method,
            address,
        });
    }
    // grpcurl takes `package.Service.Method` too.
    let method = if method.contains('/') {
        method.trim_start_matches('/').to_string()
    } else {
        match method.rsplit_once('.') {
            Some((svc, m)) => format!("{svc}/{m}"),
            None => return Err(NotACommand::NotAMethod(method)),
        }
    };
    for extra in positional {
        unknown.push(format!("the word {extra:?} after the method"));
    }
    let scheme = if plaintext { "grpc" } else { "grpcs" };
    p.url = format!("{scheme}://{address}/{method}");
    p.name = file_safe(method.rsplit('/').next().unwrap_or("call"));
    if let Some(d) = data {
        let messages = split_messages(&d);
        if messages.len() > 1 {
            p.grpc.messages = messages;
        } else {
            p.body = Body {
                kind: BodyType::Raw,
                content_type: None,
                text: Some(d),
                ..Body::default()
            };
        }
    }
    let cert = match (cert, key) {
        (Some(cert), key) => Some(CertFiles {
            cert,
            key,
            password: None,
            p12: false,
        }),
        (None, Some(k)) => {
            unknown.push(format!("-key {} without -cert", k.display()));
            None
        }
        (None, None) => None,
    };
    p.validate()?;
    Ok(Imported {
        profile: p,
        cert,
        cacert,
        unknown,
        ignored,
        env,
    })
}

/// `-d`'s messages: one JSON value after another (grpcurl's stream of messages), each as its
/// text; text that is not a stream of JSON values is one message.
fn split_messages(d: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(d).into_iter::<serde_json::Value>();
    let mut start = 0;
    while let Some(next) = stream.next() {
        if next.is_err() {
            return vec![d.to_string()];
        }
        let end = stream.byte_offset();
        out.push(d.get(start..end).unwrap_or_default().trim().to_string());
        start = end;
    }
    if out.is_empty() {
        out.push(d.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grpcurl_call_becomes_a_profile_and_a_stream_of_messages_is_kept_apart() {
        let i = parse(
            "grpcurl -cert c.pem -key k.pem -cacert ca.pem -H 'x-tenant: acme' -max-time 5 \\\n  -proto protos/route_guide.proto -import-path protos -v \\\n  -d '{\"latitude\": 1} {\"latitude\": 2}' localhost:50051 routeguide.RouteGuide.RecordRoute",
        )
        .unwrap();
        let p = &i.profile;
        assert_eq!(
            p.url,
            "grpcs://localhost:50051/routeguide.RouteGuide/RecordRoute"
        );
        assert_eq!(p.name, "recordroute");
        assert_eq!(p.grpc.messages, ["{\"latitude\": 1}", "{\"latitude\": 2}"]);
        assert_eq!(p.grpc.proto, ["protos/route_guide.proto"]);
        assert_eq!(p.options.timeout_secs, 5);
        assert_eq!(i.cert.unwrap().key.unwrap(), PathBuf::from("k.pem"));
        assert_eq!(i.cacert.unwrap(), PathBuf::from("ca.pem"));
        assert_eq!(i.ignored, ["-v"]);
        let plain = parse("grpcurl -plaintext -d '{}' 127.0.0.1:9000 a.B/C").unwrap();
        assert_eq!(plain.profile.url, "grpc://127.0.0.1:9000/a.B/C");
        assert_eq!(plain.profile.body.text.as_deref(), Some("{}"));
        assert_eq!(
            parse("grpcurl localhost:1 list").unwrap_err(),
            NotACommand::NotACall {
                verb: "list".into(),
                address: "localhost:1".into()
            }
        );
        assert_eq!(
            parse("curl https://x").unwrap_err(),
            NotACommand::OtherProgram { program: "grpcurl" }
        );
        let odd = parse("grpcurl -authority other -d @ h:1 a.B/C").unwrap();
        assert_eq!(odd.unknown.len(), 2, "{:?}", odd.unknown);
    }
}
