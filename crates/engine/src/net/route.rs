//! How a request reaches its server: directly or through an HTTP proxy (flag, profile, or the
//! environment as curl reads it), to which address (`--resolve`, `--connect-to`), over which
//! HTTP version, and which server key it must present (`--pin`).

use std::net::{IpAddr, SocketAddr};

use base64::Engine;
use serde::{Deserialize, Serialize};
use url::Url;

pub use crate::net::route_error::RouteError;

/// Which HTTP version to speak: ALPN's choice, or one forced (`--http1.1`, `--http2`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HttpVersion {
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "1.1")]
    Http1,
    /// ALPN h2 over TLS; prior knowledge over plain http.
    #[serde(rename = "2")]
    Http2,
}

impl HttpVersion {
    pub fn is_auto(&self) -> bool {
        *self == HttpVersion::Auto
    }
}

/// Where a request's connections go: the proxy for each scheme, and the hosts that skip it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ProxyChoice {
    pub http: Option<Url>,
    pub https: Option<Url>,
    /// NO_PROXY entries: `*`, a domain (with or without a leading dot), or an IP address.
    pub no_proxy: Vec<String>,
    /// Where the choice came from, for the story: "--proxy", "HTTPS_PROXY", ...
    pub source: String,
}

/// The proxy setting meaning "connect directly, whatever the environment says".
pub const NO_PROXY_SETTING: &str = "none";

impl ProxyChoice {
    /// The proxy from a flag or profile (`setting`), else from the environment as curl reads it:
    /// `https_proxy`/`HTTPS_PROXY`, `http_proxy` (lower case only, as curl), `all_proxy`/`ALL_PROXY`,
    /// and `no_proxy`/`NO_PROXY`. `"none"` connects directly.
    pub fn choose(
        setting: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ProxyChoice, RouteError> {
        let either = |lower: &str| {
            env(lower)
                .or_else(|| env(&lower.to_ascii_uppercase()))
                .filter(|v| !v.trim().is_empty())
                .map(|v| (v, lower.to_ascii_uppercase()))
        };
        let no_proxy: Vec<String> = either("no_proxy")
            .map(|(v, _)| {
                v.split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        match setting.map(str::trim) {
            Some("") | Some(NO_PROXY_SETTING) => Ok(ProxyChoice::default()),
            Some(url) => {
                let url = proxy_url(url, "proxy")?;
                Ok(ProxyChoice {
                    http: Some(url.clone()),
                    https: Some(url),
                    no_proxy,
                    source: "the proxy setting".into(),
                })
            }
            None => {
                let all = either("all_proxy");
                let https = either("https_proxy").or_else(|| all.clone());
                let http = env("http_proxy")
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (v, "http_proxy".to_string()))
                    .or(all);
                let parse = |p: Option<(String, String)>| {
                    p.map(|(v, name)| proxy_url(&v, &name).map(|u| (u, name)))
                        .transpose()
                };
                let https = parse(https)?;
                let http = parse(http)?;
                let source = https
                    .as_ref()
                    .or(http.as_ref())
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                Ok(ProxyChoice {
                    http: http.map(|(u, _)| u),
                    https: https.map(|(u, _)| u),
                    no_proxy,
                    source,
                })
            }
        }
    }

    /// The proxy for this URL, or None for a direct connection.
    pub fn for_url(&self, url: &Url) -> Option<&Url> {
        let proxy = match url.scheme() {
            "https" | "wss" => self.https.as_ref(),
            _ => self.http.as_ref(),
        }?;
        let host = url
            .host_str()?
            .trim_matches(['[', ']'])
            .to_ascii_lowercase();
        (!self.no_proxy.iter().any(|n| skips(n, &host))).then_some(proxy)
    }
}

/// Whether a NO_PROXY entry covers `host`: `*`, the host itself, or a parent domain.
fn skips(entry: &str, host: &str) -> bool {
    let entry = entry.trim_start_matches("*.").trim_start_matches('.');
    entry == "*"
        || host == entry
        || host
            .strip_suffix(entry)
            .is_some_and(|rest| rest.ends_with('.'))
}

fn proxy_url(text: &str, what: &str) -> Result<Url, RouteError> {
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| RouteError::ProxyNotAUrl {
        what: what.into(),
        text: redacted(text),
        reason: e.to_string(),
    })?;
    match url.scheme() {
        "http" | "socks5" | "socks5h" if url.host_str().is_some() => Ok(url),
        "http" | "socks5" | "socks5h" => Err(RouteError::ProxyWithoutHost {
            what: what.into(),
            text: redacted(text),
        }),
        other => Err(RouteError::ProxyScheme {
            what: what.into(),
            text: redacted(text),
            scheme: other.into(),
        }),
    }
}

/// A proxy URL fit to print: a password in it is replaced.
pub fn redacted(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("<redacted>"));
            u.to_string()
        }
        _ => text.to_string(),
    }
}

/// `--resolve HOST:PORT:ADDR`: connect to ADDR for HOST:PORT, the name still used for SNI and Host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resolve {
    pub host: String,
    pub port: u16,
    pub addr: IpAddr,
}

/// `--connect-to HOST:PORT:HOST2:PORT2`: connect to HOST2:PORT2 for HOST:PORT, the name unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConnectTo {
    pub host: String,
    pub port: u16,
    pub to_host: String,
    pub to_port: u16,
}

/// Splits "a:b:c" where a bracketed IPv6 address may hold colons.
fn fields(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_brackets = false;
    for c in text.chars() {
        match c {
            '[' => in_brackets = true,
            ']' => in_brackets = false,
            ':' if !in_brackets => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        if c != '[' && c != ']' {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

fn port(text: &str, what: &'static str) -> Result<u16, RouteError> {
    text.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| RouteError::NotAPort {
            what,
            text: text.into(),
        })
}

impl std::str::FromStr for Resolve {
    type Err = RouteError;

    fn from_str(text: &str) -> Result<Resolve, RouteError> {
        let f = fields(text);
        let [host, p, addr] = f.as_slice() else {
            return Err(RouteError::ResolveForm { text: text.into() });
        };
        Ok(Resolve {
            host: host.to_ascii_lowercase(),
            port: port(p, "resolve")?,
            addr: addr.parse().map_err(|_| RouteError::NotAnAddress {
                text: text.into(),
                addr: addr.to_string(),
            })?,
        })
    }
}

impl std::str::FromStr for ConnectTo {
    type Err = RouteError;

    fn from_str(text: &str) -> Result<ConnectTo, RouteError> {
        let f = fields(text);
        let [host, p, to_host, to_p] = f.as_slice() else {
            return Err(RouteError::ConnectToForm { text: text.into() });
        };
        if to_host.is_empty() {
            return Err(RouteError::ConnectToWithoutHost { text: text.into() });
        }
        Ok(ConnectTo {
            host: host.to_ascii_lowercase(),
            port: port(p, "connect-to")?,
            to_host: to_host.to_ascii_lowercase(),
            to_port: port(to_p, "connect-to")?,
        })
    }
}

/// The address overrides that apply to a URL's host and port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Overrides {
    pub resolve: Vec<Resolve>,
    pub connect_to: Vec<ConnectTo>,
}

impl Overrides {
    pub fn parse(resolve: &[String], connect_to: &[String]) -> Result<Overrides, RouteError> {
        Ok(Overrides {
            resolve: resolve
                .iter()
                .map(|s| s.parse())
                .collect::<Result<_, _>>()?,
            connect_to: connect_to
                .iter()
                .map(|s| s.parse())
                .collect::<Result<_, _>>()?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.resolve.is_empty() && self.connect_to.is_empty()
    }

    /// Only the entries for this URL's host and port.
    pub fn for_url(&self, url: &Url) -> Overrides {
        let host = url
            .host_str()
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or(0);
        Overrides {
            resolve: self
                .resolve
                .iter()
                .filter(|r| r.host == host && r.port == port)
                .cloned()
                .collect(),
            connect_to: self
                .connect_to
                .iter()
                .filter(|c| c.host == host && c.port == port)
                .cloned()
                .collect(),
        }
    }

    /// The HTTP client always connects to the port a URL names, so a connect-to entry can move
    /// the port only for a URL that names none.
    pub fn check_port(&self, url: &Url) -> Result<(), RouteError> {
        let Some(named) = url.port() else {
            return Ok(());
        };
        match self.connect_to.iter().find(|c| c.to_port != named) {
            Some(c) => Err(RouteError::PortFixedByUrl {
                entry: format!("{}:{}:{}:{}", c.host, c.port, c.to_host, c.to_port),
                named,
            }),
            None => Ok(()),
        }
    }

    /// The fixed addresses for `host`, if a resolve entry names them.
    pub fn addresses(&self, host: &str) -> Vec<SocketAddr> {
        self.resolve
            .iter()
            .filter(|r| r.host.eq_ignore_ascii_case(host))
            .map(|r| SocketAddr::new(r.addr, r.port))
            .collect()
    }
}

/// `--pin sha256//BASE64[;sha256//BASE64...]` (curl's `--pinnedpubkey` form): SHA-256 hashes of
/// the server's SubjectPublicKeyInfo, any one of which must match.
pub fn parse_pins(text: &str) -> Result<Vec<[u8; 32]>, RouteError> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|p| {
            let b64 = p
                .strip_prefix("sha256//")
                .ok_or_else(|| RouteError::PinForm { pin: p.into() })?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| RouteError::PinNotBase64 {
                    pin: p.into(),
                    reason: e.to_string(),
                })?;
            <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| RouteError::PinLength {
                pin: p.into(),
                len: bytes.len(),
            })
        })
        .collect()
}

/// The pin of a certificate's public key, in `sha256//BASE64` form.
pub fn pin_of(spki_der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, spki_der);
    format!(
        "sha256//{}",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_environment_is_read_as_curl_reads_it() {
        let u = |s: &str| Url::parse(s).unwrap();
        let c = ProxyChoice::choose(
            None,
            env(&[
                ("HTTPS_PROXY", "proxy.corp:3128"),
                ("HTTP_PROXY", "http://ignored:1"),
                ("no_proxy", "internal.test, .corp.test,10.0.0.9"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.for_url(&u("https://api.example.com/")).map(Url::as_str),
            Some("http://proxy.corp:3128/")
        );
        assert_eq!(
            c.for_url(&u("http://api.example.com/")),
            None,
            "HTTP_PROXY upper case is not read"
        );
        assert_eq!(c.for_url(&u("https://internal.test/")), None);
        assert_eq!(c.for_url(&u("https://a.b.corp.test/")), None);
        assert_eq!(c.for_url(&u("https://corp.test/")), None);
        assert!(c.for_url(&u("https://notcorp.test/")).is_some());
        assert_eq!(c.for_url(&u("https://10.0.0.9:8443/")), None);
        let all = ProxyChoice::choose(None, env(&[("all_proxy", "http://p:1")])).unwrap();
        assert!(all.for_url(&u("http://x.test/")).is_some());
        assert!(all.for_url(&u("https://x.test/")).is_some());
        let none =
            ProxyChoice::choose(Some("none"), env(&[("HTTPS_PROXY", "http://p:1")])).unwrap();
        assert_eq!(none.for_url(&u("https://x.test/")), None);
        let star = ProxyChoice::choose(Some("http://p:1"), env(&[("NO_PROXY", "*")])).unwrap();
        assert_eq!(star.for_url(&u("https://x.test/")), None);
        // SOCKS5 (either form) is taken; other schemes are refused with their name.
        assert!(ProxyChoice::choose(Some("socks5://p:1"), env(&[])).is_ok());
        assert!(ProxyChoice::choose(Some("socks5h://p:1"), env(&[])).is_ok());
        let e = ProxyChoice::choose(Some("socks4://p:1"), env(&[])).unwrap_err();
        assert!(e.to_string().contains("not socks4://"), "{e}");
    }

    #[test]
    fn overrides_and_pins_parse_or_say_why_not() {
        let r: Resolve = "api.example.com:443:[::1]".parse().unwrap();
        assert_eq!(r.addr, "::1".parse::<IpAddr>().unwrap());
        assert!("api.example.com:443".parse::<Resolve>().is_err());
        assert!("api.example.com:0:1.2.3.4".parse::<Resolve>().is_err());
        let c: ConnectTo = "a.test:443:b.test:8443".parse().unwrap();
        assert_eq!((c.to_host.as_str(), c.to_port), ("b.test", 8443));
        let o = Overrides::parse(&[], &["a.test:443:b.test:8443".into()]).unwrap();
        assert!(
            o.check_port(&Url::parse("https://a.test/").unwrap())
                .is_ok()
        );
        assert!(
            o.check_port(&Url::parse("https://a.test:9000/").unwrap())
                .is_err()
        );
        let pin = pin_of(b"spki");
        assert_eq!(parse_pins(&pin).unwrap().len(), 1);
        assert!(parse_pins("sha1//AAAA").is_err());
        assert!(parse_pins("sha256//AAAA").is_err());
    }
}
