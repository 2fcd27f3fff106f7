//! A profile's `[grpc]` table (where the schema comes from, the messages sent, the largest
//! message taken) and the call a `grpcs://HOST:PORT/package.Service/Method` URL names, as a
//! prepared request carries it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::size::ByteSize;

/// The largest message taken from a server unless the profile says otherwise (gRPC's own
/// default receive limit).
pub const DEFAULT_MAX_GRPC_MESSAGE: usize = 4 << 20;

/// `[grpc]` in a profile; used when the URL is `grpcs://` (TLS) or `grpc://` (plaintext h2c).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grpc {
    /// `.proto` files to compile for the schema (else the server's reflection is asked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proto: Vec<String>,
    /// Folders the `.proto` files' imports are looked up in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_path: Vec<String>,
    /// A compiled descriptor set (`protoc --descriptor_set_out`, `buf build -o`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protoset: Option<String>,
    /// The request messages, as JSON, in order (a client stream sends each; else the body is
    /// the one message).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// The largest message taken from the server (default 4 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_bytes: Option<ByteSize>,
}

impl Grpc {
    pub fn is_empty(&self) -> bool {
        *self == Grpc::default()
    }
}

/// Whether a URL's scheme names a gRPC call.
pub fn is_grpc(scheme: &str) -> bool {
    matches!(scheme, "grpc" | "grpcs")
}

/// Where the messages' types are read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SchemaSource {
    /// The server's reflection service (`grpc.reflection.v1`, else `v1alpha`).
    Reflection,
    /// `.proto` files compiled at run time, their imports looked up in `import_paths`.
    Protos {
        files: Vec<PathBuf>,
        import_paths: Vec<PathBuf>,
    },
    /// A compiled `FileDescriptorSet`.
    Protoset(PathBuf),
}

/// The method a URL names: `package.Service` and `Method`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MethodName {
    pub service: String,
    pub method: String,
}

impl MethodName {
    /// The HTTP/2 path of the call.
    pub fn path(&self) -> String {
        format!("/{}/{}", self.service, self.method)
    }
}

impl std::fmt::Display for MethodName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.service, self.method)
    }
}

/// The gRPC part of a prepared request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreparedGrpc {
    /// None when the URL names only the server (`grpc list`, or a send that lists methods).
    pub call: Option<MethodName>,
    /// Describe this symbol (a service, method, message or enum) instead of calling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub describe: Option<String>,
    pub schema: SchemaSource,
    /// The request messages as JSON, variables expanded.
    pub messages: Vec<String>,
    pub plaintext: bool,
    pub max_message_bytes: usize,
}

/// Why a gRPC call did not prepare.
#[derive(Debug)]
pub enum PrepareGrpcError<E> {
    Var(E),
    /// The URL's path is not `/package.Service/Method`.
    Path(String),
    /// Both `.proto` files and a protoset.
    TwoSchemas,
}

impl PreparedGrpc {
    /// The call `url` (`grpc` or `grpcs`) names, with `grpc`'s messages (else `body`, the one
    /// message; else `{}`) expanded by `expand`.
    pub fn prepare<E>(
        grpc: &Grpc,
        url: &Url,
        body: Option<&str>,
        mut expand: impl FnMut(&str) -> Result<String, E>,
    ) -> Result<PreparedGrpc, PrepareGrpcError<E>> {
        let path = url.path().trim_matches('/');
        let call = match path.rsplit_once('/') {
            _ if path.is_empty() => None,
            Some((service, method))
                if !service.is_empty() && !method.is_empty() && !service.contains('/') =>
            {
                Some(MethodName {
                    service: service.to_string(),
                    method: method.to_string(),
                })
            }
            _ => return Err(PrepareGrpcError::Path(url.path().to_string())),
        };
        let schema = match (&grpc.protoset, grpc.proto.is_empty()) {
            (Some(_), false) => return Err(PrepareGrpcError::TwoSchemas),
            (Some(set), true) => {
                SchemaSource::Protoset(PathBuf::from(expand(set).map_err(PrepareGrpcError::Var)?))
            }
            (None, false) => SchemaSource::Protos {
                files: grpc
                    .proto
                    .iter()
                    .map(|f| expand(f).map(PathBuf::from))
                    .collect::<Result<_, E>>()
                    .map_err(PrepareGrpcError::Var)?,
                import_paths: grpc
                    .import_path
                    .iter()
                    .map(|f| expand(f).map(PathBuf::from))
                    .collect::<Result<_, E>>()
                    .map_err(PrepareGrpcError::Var)?,
            },
            (None, true) => SchemaSource::Reflection,
        };
        let texts: Vec<&str> = if !grpc.messages.is_empty() {
            grpc.messages.iter().map(String::as_str).collect()
        } else {
            vec![body.filter(|b| !b.trim().is_empty()).unwrap_or("{}")]
        };
        let messages = texts
            .into_iter()
            .map(&mut expand)
            .collect::<Result<Vec<_>, E>>()
            .map_err(PrepareGrpcError::Var)?;
        let max = grpc
            .max_message_bytes
            .map_or(DEFAULT_MAX_GRPC_MESSAGE, |b| {
                usize::try_from(b.0).unwrap_or(usize::MAX)
            })
            .max(1);
        Ok(PreparedGrpc {
            call,
            describe: None,
            schema,
            messages,
            plaintext: url.scheme() == "grpc",
            max_message_bytes: max,
        })
    }

    /// The HTTP URL the call goes to: `https://` for `grpcs://`, `http://` (h2c) for `grpc://`,
    /// the same host and port (gRPC has no default port: one must be given).
    pub fn http_url(&self, url: &Url) -> Result<Url, GrpcUrlError> {
        let scheme = if self.plaintext { "http" } else { "https" };
        let host = url.host_str().unwrap_or_default();
        let Some(port) = url.port() else {
            return Err(GrpcUrlError::NoPort {
                url: url.to_string(),
                scheme: url.scheme().to_string(),
                host: host.to_string(),
            });
        };
        let path = self.call.as_ref().map(MethodName::path).unwrap_or_default();
        Ok(Url::parse(&format!("{scheme}://{host}:{port}{path}"))?)
    }
}

/// A `grpc://` or `grpcs://` URL that names no call address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrpcUrlError {
    #[error("{url} names no port: gRPC has no default one, write {scheme}://{host}:PORT/...")]
    NoPort {
        url: String,
        scheme: String,
        host: String,
    },
    #[error(transparent)]
    Url(#[from] url::ParseError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prep(url: &str, grpc: &Grpc) -> Result<PreparedGrpc, PrepareGrpcError<String>> {
        PreparedGrpc::prepare(grpc, &Url::parse(url).unwrap(), None, |t| {
            Ok::<_, String>(t.to_string())
        })
    }

    #[test]
    fn a_url_names_the_method_and_becomes_an_https_or_h2c_url() {
        let g = prep(
            "grpcs://localhost:50051/helloworld.Greeter/SayHello",
            &Grpc::default(),
        )
        .unwrap();
        let call = g.call.clone().unwrap();
        assert_eq!(
            (call.service.as_str(), call.method.as_str()),
            ("helloworld.Greeter", "SayHello")
        );
        assert_eq!(g.messages, ["{}"]);
        assert_eq!(g.schema, SchemaSource::Reflection);
        let url = Url::parse("grpcs://localhost:50051/helloworld.Greeter/SayHello").unwrap();
        assert_eq!(
            g.http_url(&url).unwrap().as_str(),
            "https://localhost:50051/helloworld.Greeter/SayHello"
        );
        let plain = prep("grpc://127.0.0.1:9000", &Grpc::default()).unwrap();
        assert!(plain.plaintext && plain.call.is_none());
        let url = Url::parse("grpc://127.0.0.1:9000").unwrap();
        assert_eq!(
            plain.http_url(&url).unwrap().as_str(),
            "http://127.0.0.1:9000/"
        );
        assert!(
            plain
                .http_url(&Url::parse("grpc://host/a.B/C").unwrap())
                .is_err()
        );
        assert!(matches!(
            prep("grpcs://h:1/a/b/c", &Grpc::default()),
            Err(PrepareGrpcError::Path(_))
        ));
        let both = Grpc {
            proto: vec!["a.proto".into()],
            protoset: Some("a.pb".into()),
            ..Grpc::default()
        };
        assert!(matches!(
            prep("grpcs://h:1/a.B/C", &both),
            Err(PrepareGrpcError::TwoSchemas)
        ));
    }
}
