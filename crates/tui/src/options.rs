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
    /// Shown here, chosen with `trust` in the profile or the CLI.
    Trust,
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
            OptionRow::Trust if p.trust.is_empty() => "system roots only".into(),
            OptionRow::Trust => p.trust.join(", "),
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
            OptionRow::Trust => return false,
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
