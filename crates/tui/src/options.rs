//! The request form's Options tab: its rows, what each shows, and what a key press changes.

use strum::IntoEnumIterator;

use engine::net::route::HttpVersion;
use engine::request::profile::Profile;

/// One row of the Options tab: the switches of design.md, then the timeout and the trust list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter)]
pub enum OptionRow {
    #[default]
    MutualTls,
    ErrorsOnStatus,
    ParseResponse,
    FollowRedirects,
    FollowAllRedirects,
    QueryArrays,
    Compressed,
    ShareCookies,
    VerifyTls,
    /// auto (ALPN), 1.1 or 2.
    HttpVersion,
    Timeout,
    /// The most of a body kept (`max_body`); Enter edits it.
    MaxBody,
    /// `proxy`: http://, socks5:// or socks5h://, or `none`; Enter edits it.
    Proxy,
    /// `pin`: sha256//BASE64 (;-separated); Enter edits it.
    Pin,
    /// `resolve`: HOST:PORT:ADDR, comma-separated; Enter edits it.
    Resolve,
    /// `connect_to`: HOST:PORT:HOST2:PORT2, comma-separated; Enter edits it.
    ConnectTo,
    /// The profile's `trust`; Enter opens the trust picker.
    Trust,
}

/// What the profile alone does not say: the key an environment or a binding gives, and the
/// environment's trust and proxy.
#[derive(Debug, Clone, Default)]
pub struct Effective {
    /// The key a profile naming none will present, and why ("from env staging", "bound to ...").
    pub implied_key: Option<(String, String)>,
    /// The environment in use, its trust and its proxy.
    pub env: Option<String>,
    pub env_trust: Vec<String>,
    pub env_proxy: Option<String>,
}

impl OptionRow {
    pub fn label(self) -> &'static str {
        match self {
            OptionRow::MutualTls => "Use Mutual TLS",
            OptionRow::ErrorsOnStatus => "Evaluate non-2xx/3xx as errors",
            OptionRow::ParseResponse => "Parse response",
            OptionRow::FollowRedirects => "Follow redirects (GET/HEAD)",
            OptionRow::FollowAllRedirects => "Follow all redirects",
            OptionRow::QueryArrays => "Query arrays key[0]=a&key[1]=b",
            OptionRow::Compressed => "Request compressed content",
            OptionRow::ShareCookies => "Share cookies",
            OptionRow::VerifyTls => "Verify server certificate",
            OptionRow::HttpVersion => "HTTP version (auto = ALPN)",
            OptionRow::Timeout => "Timeout (1-300 s, +/-)",
            OptionRow::MaxBody => "Body kept up to",
            OptionRow::Proxy => "Proxy",
            OptionRow::Pin => "Pin",
            OptionRow::Resolve => "Resolve",
            OptionRow::ConnectTo => "Connect to",
            OptionRow::Trust => "Trusted certificates",
        }
    }

    /// The row's value as shown: `[x]`, `[ ]`, seconds, or the trust names.
    pub fn value(self, p: &Profile) -> String {
        let o = &p.options;
        let flag = |v: bool| if v { "[x]" } else { "[ ]" }.to_string();
        match self {
            OptionRow::MutualTls => flag(p.mutual_tls()),
            OptionRow::ErrorsOnStatus => flag(o.errors_on_status),
            OptionRow::ParseResponse => flag(o.parse_response),
            OptionRow::FollowRedirects => flag(o.follow_redirects),
            OptionRow::FollowAllRedirects => flag(o.follow_all_redirects),
            OptionRow::QueryArrays => flag(o.query_arrays),
            OptionRow::Compressed => flag(o.compressed),
            OptionRow::ShareCookies => flag(o.share_cookies),
            OptionRow::VerifyTls => flag(o.verify_tls),
            OptionRow::HttpVersion => match o.http_version {
                HttpVersion::Auto => "auto",
                HttpVersion::Http1 => "1.1",
                HttpVersion::Http2 => "2",
            }
            .into(),
            OptionRow::Timeout => o.timeout_secs.to_string(),
            OptionRow::MaxBody
            | OptionRow::Proxy
            | OptionRow::Pin
            | OptionRow::Resolve
            | OptionRow::ConnectTo => String::new(),
            OptionRow::Trust if p.trust.is_empty() => "system roots only".into(),
            OptionRow::Trust => p.trust.join(", "),
        }
    }

    /// A row whose value is text, edited on its own line (Enter).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            OptionRow::MaxBody
                | OptionRow::Proxy
                | OptionRow::Pin
                | OptionRow::Resolve
                | OptionRow::ConnectTo
        )
    }

    /// A text row's value as the profile has it (empty: none).
    pub fn text(self, p: &Profile) -> String {
        let o = &p.options;
        match self {
            OptionRow::MaxBody => o.max_body.map(|b| b.to_string()).unwrap_or_default(),
            OptionRow::Proxy => o.proxy.clone().unwrap_or_default(),
            OptionRow::Pin => o.pin.clone().unwrap_or_default(),
            OptionRow::Resolve => o.resolve.join(", "),
            OptionRow::ConnectTo => o.connect_to.join(", "),
            _ => String::new(),
        }
    }

    /// Sets a text row from what was typed (empty: none), checked as a send would check it.
    pub fn set_text(self, p: &mut Profile, text: &str) -> Result<(), String> {
        let text = text.trim();
        let list = || -> Vec<String> {
            text.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let o = &mut p.options;
        let literal = !text.contains("${");
        match self {
            OptionRow::MaxBody if text.is_empty() => o.max_body = None,
            OptionRow::MaxBody => {
                let size: engine::size::ByteSize = text.parse()?;
                engine::request::options::check_max_body(size)?;
                o.max_body = Some(size);
            }
            OptionRow::Proxy => {
                if !text.is_empty() && literal {
                    engine::net::route::ProxyChoice::choose(Some(text), |_| None)
                        .map_err(|e| e.to_string())?;
                }
                o.proxy = (!text.is_empty()).then(|| text.to_string());
            }
            OptionRow::Pin => {
                if !text.is_empty() {
                    engine::net::route::parse_pins(text).map_err(|e| e.to_string())?;
                }
                o.pin = (!text.is_empty()).then(|| text.to_string());
            }
            OptionRow::Resolve => {
                engine::net::route::Overrides::parse(&list(), &[]).map_err(|e| e.to_string())?;
                o.resolve = list();
            }
            OptionRow::ConnectTo => {
                engine::net::route::Overrides::parse(&[], &list()).map_err(|e| e.to_string())?;
                o.connect_to = list();
            }
            _ => return Err(format!("{} is not text", self.label())),
        }
        Ok(())
    }

    /// What the row does in effect and where that comes from, when the profile alone does not
    /// say it (a key from a binding, an environment's trust or proxy), or a text row's value.
    pub fn note(self, p: &Profile, eff: &Effective) -> Option<String> {
        let env = || eff.env.clone().unwrap_or_default();
        match self {
            OptionRow::MutualTls => match (&p.credential, &eff.implied_key) {
                _ if p.options.mutual_tls == Some(false) => Some("off: no key is presented".into()),
                (Some(k), _) => Some(format!("key {k}, named by the profile")),
                (None, Some((k, why))) => Some(format!("on: key {k}, {why}")),
                (None, None) => Some("no key named, bound or given by an environment".into()),
            },
            OptionRow::Trust => {
                let mut parts = Vec::new();
                if !p.trust.is_empty() {
                    parts.push(format!("{} (profile)", p.trust.join(", ")));
                }
                if !eff.env_trust.is_empty() && p.trust.is_empty() {
                    parts.push(format!("{} (env {})", eff.env_trust.join(", "), env()));
                }
                parts.push("the system's roots".into());
                Some(format!("{}; Enter: T", parts.join(", ")))
            }
            OptionRow::Proxy => Some(match (&p.options.proxy, &eff.env_proxy) {
                (Some(proxy), _) => format!("{proxy} (profile)"),
                (None, Some(proxy)) => format!("{proxy} (env {})", env()),
                (None, None) => "none: direct, unless HTTPS_PROXY/ALL_PROXY is set".into(),
            }),
            OptionRow::MaxBody if p.options.max_body.is_none() => Some(format!(
                "{} (the default)",
                engine::request::options::DEFAULT_MAX_BODY
            )),
            row if row.is_text() => {
                let v = row.text(p);
                Some(if v.is_empty() { "none".into() } else { v })
            }
            _ => None,
        }
    }

    /// Space/Enter toggles a switch; `+`/`-` (`up`) steps the timeout. False when nothing changed.
    pub fn change(self, p: &mut Profile, up: bool) -> bool {
        let mtls = p.mutual_tls();
        let o = &mut p.options;
        match self {
            OptionRow::MutualTls => o.mutual_tls = Some(!mtls),
            OptionRow::ErrorsOnStatus => o.errors_on_status ^= true,
            OptionRow::ParseResponse => o.parse_response ^= true,
            OptionRow::FollowRedirects => o.follow_redirects ^= true,
            OptionRow::FollowAllRedirects => o.follow_all_redirects ^= true,
            OptionRow::QueryArrays => o.query_arrays ^= true,
            OptionRow::Compressed => o.compressed ^= true,
            OptionRow::ShareCookies => o.share_cookies ^= true,
            OptionRow::VerifyTls => o.verify_tls ^= true,
            OptionRow::HttpVersion => {
                o.http_version = match o.http_version {
                    HttpVersion::Auto => HttpVersion::Http1,
                    HttpVersion::Http1 => HttpVersion::Http2,
                    HttpVersion::Http2 => HttpVersion::Auto,
                }
            }
            OptionRow::Timeout => {
                let step: i64 = if up { 1 } else { -1 };
                o.timeout_secs = (i64::from(o.timeout_secs) + step).clamp(1, 300) as u32;
            }
            OptionRow::Trust
            | OptionRow::MaxBody
            | OptionRow::Proxy
            | OptionRow::Pin
            | OptionRow::Resolve
            | OptionRow::ConnectTo => return false,
        }
        true
    }

    /// The row above or below (`down`), staying at the ends.
    pub fn moved(self, down: bool) -> OptionRow {
        let all: Vec<OptionRow> = OptionRow::iter().collect();
        let at = self.index();
        all[if down {
            (at + 1).min(all.len() - 1)
        } else {
            at.saturating_sub(1)
        }]
    }

    /// Its position in the tab, for scrolling.
    pub fn index(self) -> usize {
        OptionRow::iter().position(|r| r == self).unwrap_or(0)
    }
}
