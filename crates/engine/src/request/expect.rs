//! Expectations (`[expect]` in a profile): what a response must show, each checked and any
//! failure said in words. A failed expectation is exit code 5 on the command line.

use crate::exchange::Exchange;
use crate::exchange_grpc::GrpcCode;
pub use crate::request::bad_expectation::BadExpectation;
use crate::request::expect_stream::StreamRule;
pub use crate::request::json_check::JsonCheck;
use crate::request::json_check::json_check;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `200`, `"2xx"`, or a list of either.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusRule>,
    /// Header name -> exact value, or `~regex`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub json: Vec<JsonCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_contains: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<f64>,
    /// Fails when the server's certificate expires in fewer days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_cert_days_left: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_sent: Option<bool>,
    /// An event stream's or a WebSocket's events: how many, how soon, what they hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<StreamRule>,
    /// A gRPC call's status: its name (`"OK"`, `"NOT_FOUND"`) or its number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc_status: Option<StatusOne>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StatusRule {
    One(StatusOne),
    Any(Vec<StatusOne>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StatusOne {
    Code(u16),
    /// "2xx", "4xx", or a code as text.
    Class(String),
}

impl StatusOne {
    fn matches(&self, status: u16) -> bool {
        match self {
            StatusOne::Code(c) => *c == status,
            StatusOne::Class(c) => {
                let c = c.trim().to_ascii_lowercase();
                match c.strip_suffix("xx") {
                    Some(d) => d.parse::<u16>().is_ok_and(|d| status / 100 == d),
                    None => c.parse::<u16>().is_ok_and(|code| code == status),
                }
            }
        }
    }

    /// A rule that can match something: a code 100-599, or a class "1xx" to "5xx".
    fn check(&self) -> Result<(), BadExpectation> {
        let valid = match self {
            StatusOne::Code(c) => (100..=599).contains(c),
            StatusOne::Class(c) => {
                let c = c.trim().to_ascii_lowercase();
                match c.strip_suffix("xx") {
                    Some(d) => d.len() == 1 && matches!(d, "1" | "2" | "3" | "4" | "5"),
                    None => c.parse::<u16>().is_ok_and(|n| (100..=599).contains(&n)),
                }
            }
        };
        if valid {
            Ok(())
        } else {
            Err(BadExpectation::Status(self.text()))
        }
    }

    fn text(&self) -> String {
        match self {
            StatusOne::Code(c) => c.to_string(),
            StatusOne::Class(c) => c.clone(),
        }
    }
}

/// The gRPC status code a rule names (by number 0-16, or by name in any case).
fn grpc_code(rule: &StatusOne) -> Option<u32> {
    let text = rule.text();
    let text = text.trim();
    match text.parse::<u32>() {
        Ok(n) => (n <= 16).then_some(n),
        Err(_) => (0..=16).find(|n| GrpcCode(*n).name().eq_ignore_ascii_case(text)),
    }
}

/// What the checks found: how many there were, and each failure in words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub checked: usize,
    pub failures: Vec<String>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// "3/3 expectations", or the first failure.
    pub fn summary(&self) -> String {
        match self.failures.first() {
            None => format!("{0}/{0} expectations", self.checked),
            Some(first) => format!(
                "{}/{} expectations: {first}",
                self.checked - self.failures.len(),
                self.checked
            ),
        }
    }
}

impl Expect {
    /// The rules' own problems (a regex or JSON path that does not parse), before any send.
    pub fn check_rules(&self) -> Result<(), BadExpectation> {
        match &self.status {
            Some(StatusRule::One(one)) => one.check()?,
            Some(StatusRule::Any(all)) => all.iter().try_for_each(StatusOne::check)?,
            None => {}
        }
        for (name, v) in &self.headers {
            if let Some(r) = v.strip_prefix('~') {
                regex::Regex::new(r).map_err(|e| BadExpectation::HeaderRegex {
                    header: name.clone(),
                    regex: r.to_string(),
                    reason: e.to_string(),
                })?;
            }
        }
        if let Some(rule) = &self.stream {
            rule.check_rules()?;
        }
        if let Some(want) = &self.grpc_status
            && grpc_code(want).is_none()
        {
            return Err(BadExpectation::GrpcStatus(want.text()));
        }
        for c in &self.json {
            serde_json_path::JsonPath::parse(&c.path).map_err(|e| BadExpectation::JsonPath {
                within: "json",
                path: c.path.clone(),
                reason: e.to_string(),
            })?;
            if let Some(r) = &c.matches {
                regex::Regex::new(r).map_err(|e| BadExpectation::JsonRegex {
                    path: c.path.clone(),
                    regex: r.to_string(),
                    reason: e.to_string(),
                })?;
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        *self == Expect::default()
    }

    /// Checks the response; every rule counts once.
    pub fn verdict(&self, ex: &Exchange) -> Verdict {
        let mut v = Verdict::default();
        let mut check = |ok: bool, failure: String| {
            v.checked += 1;
            if !ok {
                v.failures.push(failure);
            }
        };
        if let Some(rule) = &self.status {
            let ones: Vec<&StatusOne> = match rule {
                StatusRule::One(o) => vec![o],
                StatusRule::Any(all) => all.iter().collect(),
            };
            let wanted: Vec<String> = ones.iter().map(|o| o.text()).collect();
            check(
                ones.iter().any(|o| o.matches(ex.status)),
                format!("status {} is not {}", ex.status, wanted.join(" or ")),
            );
        }
        for (name, want) in &self.headers {
            let got = crate::headers::get(&ex.headers, name);
            let (ok, said) = match (want.strip_prefix('~'), got) {
                (_, None) => (false, format!("header {name} is missing")),
                (Some(r), Some(g)) => (
                    regex::Regex::new(r).is_ok_and(|re| re.is_match(g)),
                    format!("header {name} is {g:?}, which does not match {r:?}"),
                ),
                (None, Some(g)) => (g == want, format!("header {name} is {g:?}, not {want:?}")),
            };
            check(ok, said);
        }
        if let Some(want) = &self.grpc_status {
            let wanted = grpc_code(want);
            let (ok, said) = match &ex.grpc {
                None => (false, "grpc_status: this was not a gRPC call".to_string()),
                Some(g) => (
                    wanted == Some(g.code),
                    format!(
                        "gRPC status {} ({}) is not {}",
                        g.code_name,
                        g.code,
                        wanted.map_or(want.text(), |c| GrpcCode(c).name())
                    ),
                ),
            };
            check(ok, said);
        }
        if !self.json.is_empty() {
            let body = serde_json::from_slice::<serde_json::Value>(&ex.body).ok();
            for c in &self.json {
                let (ok, said) = json_check(c, body.as_ref());
                check(ok, said);
            }
        }
        if let Some(needle) = &self.body_contains {
            check(
                memchr::memmem::find(&ex.body, needle.as_bytes()).is_some(),
                format!("the body does not contain {needle:?}"),
            );
        }
        if let Some(max) = self.max_ms {
            check(
                ex.timing.total_ms <= max,
                format!("took {:.0} ms, over max_ms = {max}", ex.timing.total_ms),
            );
        }
        if let Some(days) = self.server_cert_days_left {
            let left = ex
                .tls
                .as_ref()
                .and_then(|t| t.server_chain.first())
                .map(|c| c.days_left());
            check(
                left.is_some_and(|l| l >= days),
                match left {
                    Some(l) => format!(
                        "the server's certificate expires in {l} days, under server_cert_days_left = {days}"
                    ),
                    None => "no server certificate was seen (not https?)".into(),
                },
            );
        }
        if let Some(want) = self.client_cert_sent {
            let sent = ex
                .tls
                .as_ref()
                .is_some_and(|t| t.client_cert_sent.is_some());
            check(
                sent == want,
                if want {
                    "no client certificate was sent (the server did not ask, or no key was selected)"
                        .into()
                } else {
                    "a client certificate was sent".into()
                },
            );
        }
        if let Some(rule) = &self.stream {
            for (ok, said) in rule.outcomes(ex) {
                check(ok, said);
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_rule_that_matches_nothing_is_refused() {
        let parse = |t: &str| toml::from_str::<Expect>(t).unwrap().check_rules();
        assert!(parse("status = \"2xxx\"").is_err());
        assert!(parse("status = 999").is_err());
        assert!(parse("status = [200, \"7xx\"]").is_err());
        assert!(parse("status = \"2xx\"").is_ok());
        assert!(parse("status = [200, 301, \"4xx\"]").is_ok());
    }

    #[test]
    fn each_rule_counts_and_failures_are_said_in_words() {
        let e: Expect = toml::from_str(
            r#"
status = "2xx"
headers = { "content-type" = "~application/json", "x-id" = "7" }
json = [ { path = "$.count", exists = true }, { path = "$.items[0].id", equals = 1 }, { path = "$.name", matches = "^A" } ]
body_contains = "ok"
max_ms = 500
"#,
        )
        .unwrap();
        e.check_rules().unwrap();
        let mut ex = Exchange {
            status: 200,
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/json; charset=utf-8".into(),
                ),
                ("X-Id".into(), "7".into()),
            ],
            body: bytes::Bytes::from_static(
                br#"{"count":2,"items":[{"id":1}],"name":"Ann","ok":true}"#,
            ),
            ..Exchange::default()
        };
        ex.timing.total_ms = 20.0;
        let v = e.verdict(&ex);
        assert_eq!(v.checked, 8);
        assert!(v.passed(), "{:?}", v.failures);
        assert_eq!(v.summary(), "8/8 expectations");
        ex.status = 503;
        ex.timing.total_ms = 900.0;
        ex.body = bytes::Bytes::from_static(br#"{"items":[{"id":2}],"name":"Bo"}"#);
        let v = e.verdict(&ex);
        assert_eq!(v.failures.len(), 6, "{:?}", v.failures);
        assert_eq!(v.failures[0], "status 503 is not 2xx");
        assert!(v.summary().starts_with("2/8 expectations: status 503"));
        let list: Expect = toml::from_str("status = [200, 201]").unwrap();
        ex.status = 201;
        assert!(list.verdict(&ex).passed());
        let bad: Expect = toml::from_str("headers = { a = \"~(\" }").unwrap();
        assert!(bad.check_rules().is_err());
    }

    #[test]
    fn the_server_certificate_and_the_client_certificate_are_checked_too() {
        let pki = demo::Pki::new("Expect CA");
        let server = pki.server(&["localhost"], demo::Days::default());
        let facts = crate::keys::certinfo::CertFacts::parse(&server.cert_der).unwrap();
        let days = facts.days_left();
        let mut ex = Exchange {
            tls: Some(crate::exchange::TlsFacts {
                server_chain: vec![facts],
                client_cert_sent: Some("CN=me".into()),
                ..Default::default()
            }),
            ..Exchange::default()
        };
        let rule = |text: &str, ex: &Exchange| toml::from_str::<Expect>(text).unwrap().verdict(ex);
        assert!(rule(&format!("server_cert_days_left = {days}"), &ex).passed());
        let v = rule(&format!("server_cert_days_left = {}", days + 30), &ex);
        assert!(v.failures[0].contains("expires in"), "{:?}", v.failures);
        assert!(rule("client_cert_sent = true", &ex).passed());
        ex.tls.as_mut().unwrap().client_cert_sent = None;
        assert!(!rule("client_cert_sent = true", &ex).passed());
        ex.tls = None;
        assert!(
            !rule("server_cert_days_left = 1", &ex).passed(),
            "no certificate seen"
        );
    }
}
