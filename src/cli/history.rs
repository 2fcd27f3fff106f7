//! `certbench history ...` and the recording of CLI sends: list, show, diff (exit 0 same / 1 different), delete, clear.

use std::io::IsTerminal;

use clap::Subcommand;
use serde_json::{Value, json};

use engine::history::compare::{self, Comparison};
use engine::history::{self, Entry, Filter, History, Limits};
use engine::home;

use super::exit::EXIT_OK;
use super::output;

/// `diff`'s convention: 0 same, 1 different, 2 trouble.
pub const DIFF_SAME: i32 = 0;
pub const DIFF_DIFFERENT: i32 = 1;
pub const DIFF_TROUBLE: i32 = 2;

#[derive(Subcommand, Debug)]
pub enum HistoryCmd {
    /// Recorded sends, newest first
    List {
        /// Only sends of this profile
        #[arg(long)]
        profile: Option<String>,
        /// Only sends with this key
        #[arg(long)]
        key: Option<String>,
        /// 200, 4xx, ok, error, or a failure kind
        #[arg(long)]
        status: Option<String>,
        /// At most this many entries
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// One entry: request, response or failure, TLS facts
    Show {
        /// The entry's number (history list)
        id: i64,
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// Compare two entries (exit 0 when equal, 1 when different, 2 on error)
    Diff {
        /// The first entry's number
        a: i64,
        /// The second entry's number
        b: i64,
        /// A JSON path ($.timestamp, $.items[*].id, $..requestId) or a header name (repeatable)
        #[arg(long)]
        ignore: Vec<String>,
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// Delete one entry
    Delete {
        /// The entry's number
        id: i64,
    },
    /// Delete every entry (asks first on a terminal)
    Clear {
        /// Do not ask first
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// Opens the history for a command; on trouble says why once and returns None (sending goes on).
pub fn open() -> Option<History> {
    match History::open(&home::home_dir(), Limits::from_env()) {
        Ok(h) => {
            if let Some(n) = &h.notice {
                errln!("warning: {n}");
            }
            Some(h)
        }
        Err(e) => {
            errln!("warning: {e}");
            None
        }
    }
}

pub fn run(cmd: HistoryCmd) -> i32 {
    // Listing, showing and comparing work where the home cannot be written; delete and clear
    // then fail with that cause.
    let hist = match History::open_to_read(&home::home_dir(), Limits::from_env()) {
        Ok(h) => h,
        Err(e) => {
            errln!("error: {e}");
            return DIFF_TROUBLE;
        }
    };
    if let Some(n) = &hist.notice {
        errln!("warning: {n}");
    }
    match cmd {
        HistoryCmd::List {
            profile,
            key,
            status,
            limit,
            json,
        } => {
            let filter = Filter {
                profile,
                key,
                status,
                text: None,
            };
            match hist.list(&filter, limit) {
                Ok(rows) => {
                    if json {
                        outln!(
                            "{}",
                            serde_json::to_string_pretty(&rows).unwrap_or_default()
                        );
                    } else if rows.is_empty() {
                        errln!(
                            "no history yet (or nothing matches); every `certbench send` and TUI send is recorded"
                        );
                    } else {
                        for r in rows {
                            outln!(
                                "{:>6}  {}  {:<18} {:>5}  {:>7.1} ms  {:<10} {} {}",
                                r.id.unwrap_or_default(),
                                r.when(),
                                r.outcome(),
                                r.method,
                                r.duration_ms,
                                r.key.as_deref().unwrap_or("-"),
                                r.profile,
                                r.url
                            );
                        }
                    }
                    EXIT_OK
                }
                Err(e) => trouble(e),
            }
        }
        HistoryCmd::Show { id, json } => match hist.get(id) {
            Ok(entry) => {
                show(&entry, json);
                EXIT_OK
            }
            Err(e) => trouble(e),
        },
        HistoryCmd::Diff { a, b, ignore, json } => {
            let (ea, eb) = match (hist.get(a), hist.get(b)) {
                (Ok(x), Ok(y)) => (x, y),
                (Err(e), _) | (_, Err(e)) => return trouble(e),
            };
            let mut rules = ea.profile.compare_ignore.clone();
            for r in eb.profile.compare_ignore.iter().chain(&ignore) {
                if !rules.contains(r) {
                    rules.push(r.clone());
                }
            }
            if let Some(bad) = rules
                .iter()
                .find(|r| r.starts_with('$') && !compare::is_valid_path(r))
            {
                errln!(
                    "error: --ignore {bad} is not a JSON path; write $.field, $.list[*].field or $..field"
                );
                return DIFF_TROUBLE;
            }
            let cmp = compare::compare(&ea.result, &eb.result, &rules);
            print_comparison(&cmp, &ea.summary.label(), &eb.summary.label(), json);
            if cmp.is_equal() {
                DIFF_SAME
            } else {
                DIFF_DIFFERENT
            }
        }
        HistoryCmd::Delete { id } => match hist.delete(id) {
            Ok(()) => {
                errln!("deleted history entry #{id}");
                EXIT_OK
            }
            Err(e) => trouble(e),
        },
        HistoryCmd::Clear { yes } => {
            let n = hist.count().unwrap_or(0);
            if !yes
                && std::io::stdin().is_terminal()
                && !super::stdout::confirm(&format!("delete all {n} history entries?"))
            {
                errln!("nothing deleted");
                return EXIT_OK;
            }
            match hist.clear() {
                Ok(n) => {
                    errln!("deleted {n} history entries");
                    EXIT_OK
                }
                Err(e) => trouble(e),
            }
        }
    }
}

fn trouble(e: impl std::fmt::Display) -> i32 {
    errln!("error: {e}");
    DIFF_TROUBLE
}

pub fn print_comparison(cmp: &Comparison, a: &str, b: &str, as_json: bool) {
    if as_json {
        let v = json!({"equal": cmp.is_equal(), "a": a, "b": b, "comparison": cmp});
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        out!("{}", cmp.to_text((a, b), 3));
        outln!("{}", if cmp.is_equal() { "equal" } else { "different" });
    }
}

fn show(e: &Entry, as_json: bool) {
    let request: Value = serde_json::to_value(&e.request).unwrap_or(Value::Null);
    if as_json {
        let mut v = match &e.result {
            Ok(ex) => output::exchange_json(request, ex),
            Err(f) => output::failure_json(request, f),
        };
        v["id"] = json!(e.summary.id);
        v["at"] = json!(e.summary.when());
        v["at_ms"] = json!(e.summary.at_ms);
        v["profile"] = json!(e.summary.profile);
        v["key"] = json!(e.summary.key);
        v["key_sha256"] = json!(e.summary.key_sha256);
        v["body_truncated"] = json!(e.body_truncated);
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return;
    }
    let s = &e.summary;
    errln!(
        "#{} {} profile {} key {}{}",
        s.id.unwrap_or_default(),
        s.when(),
        s.profile,
        s.key.as_deref().unwrap_or("none"),
        s.key_sha256
            .as_deref()
            .map(|f| format!(" (sha256 {})", f.get(..f.len().min(16)).unwrap_or_default()))
            .unwrap_or_default()
    );
    errln!("> {} {}", e.request.method, e.request.url);
    for (k, v) in &e.request.headers {
        errln!("> {k}: {v}");
    }
    if !e.request.body.is_empty() {
        errln!(">");
        for line in e.request.body.lines() {
            errln!("> {line}");
        }
    }
    if e.body_truncated {
        errln!(
            "note: the stored body was cut at the history's body cap (CERTBENCH_HISTORY_BODY_CAP, default {} bytes)",
            history::DEFAULT_BODY_CAP
        );
    }
    match &e.result {
        Ok(ex) => output::print_exchange(ex, true),
        Err(f) => output::print_failure(f, true),
    }
}
