//! `certbench run`: a folder of profiles as a suite for CI, with progress, a summary table,
//! JUnit and JSON reports, and an exit code that fails the build.

use engine::request::profile_dir;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use serde_json::{Value, json};

use super::exit::{EXIT_EXPECTATION, EXIT_OK, EXIT_STATUS, EXIT_TRANSPORT, EXIT_USAGE};
use engine::diagnose::kind::DiagnosisKind;
use engine::net::transport::Transport;
use engine::pipeline::{Pipeline, Sent};
use engine::request::profile::Profile;
use engine::request::runner::{Outcome, Plan, RunOptions};

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Profiles (by name) or folders of profiles; default: the profiles folder
    #[arg(add = super::completion::profiles())]
    pub targets: Vec<String>,
    /// Use environments/NAME.toml
    #[arg(long, value_name = "NAME", add = super::completion::environments())]
    pub env: Option<String>,
    /// Sends at once, 1 or more
    #[arg(long, short = 'j', default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// junit=FILE or json=FILE (repeatable)
    #[arg(long, value_name = "KIND=FILE")]
    pub report: Vec<String>,
    /// Stop starting sends after the first failure (the rest are reported as skipped)
    #[arg(long)]
    pub fail_fast: bool,
    /// A variable for every profile, NAME=VALUE (repeatable; above environments and vars.toml)
    #[arg(long)]
    pub var: Vec<String>,
    /// Do not record these sends in history
    #[arg(long)]
    pub no_history: bool,
    #[command(flatten)]
    pub pin: super::pins::PinArgs,
}

/// How one profile ended, in the words and kinds the reports use.
enum Verdict<'a> {
    Passed,
    Skipped,
    /// Expectations not met (exit 5).
    Failed(String),
    /// A status counted as an error (exit 4).
    Status(String),
    /// No response, or no request: kind and message (exit 2, or 1 for an invalid request).
    Error(DiagnosisKind, &'a str),
}

fn verdict(o: &Outcome) -> Verdict<'_> {
    let Some(sent) = o.own() else {
        return Verdict::Skipped;
    };
    match &*sent.result {
        Err(f) => Verdict::Error(f.diagnosis.kind, &f.diagnosis.message),
        Ok(ex) => {
            if let Some(d) = &ex.incomplete {
                return Verdict::Error(d.kind, &d.message);
            }
            if let Some(v) = sent.verdict.as_ref().filter(|v| !v.passed()) {
                return Verdict::Failed(v.failures.join("; "));
            }
            if ex.status_is_error {
                return Verdict::Status(format!("HTTP {} {}", ex.status, ex.reason));
            }
            Verdict::Passed
        }
    }
}

pub async fn run(dir: &Path, home: &Path, args: &RunArgs) -> i32 {
    let mut reports: Vec<(String, PathBuf)> = Vec::new();
    for r in &args.report {
        match r.split_once('=') {
            Some((kind @ ("junit" | "json"), file)) if !file.is_empty() => {
                // Its folder is made (or refused) before anything is sent: a run never ends
                // with its results unwritable.
                let file = PathBuf::from(file);
                if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty())
                    && let Err(e) = std::fs::create_dir_all(parent)
                {
                    return super::fail(format!(
                        "--report {r:?}: cannot make its folder {}: {e}",
                        parent.display()
                    ));
                }
                if file.is_dir() {
                    return super::fail(format!(
                        "--report {r:?}: {} is a folder: name a file in it",
                        file.display()
                    ));
                }
                reports.push((kind.to_string(), file))
            }
            _ => {
                return super::fail(format!("--report {r:?}: write junit=FILE or json=FILE"));
            }
        }
    }
    let (profiles, broken) = match collect(dir, &args.targets) {
        Ok(p) => p,
        Err(e) => return super::fail(e),
    };
    if profiles.is_empty() && broken.is_empty() {
        return super::fail(format!(
            "no profiles to run in {}: name profiles or folders, or add *.toml profiles",
            dir.display()
        ));
    }
    let plan = Plan::new(profiles);
    // `run DIR` (or `run FILE`) takes the vars.toml and environments of DIR or the nearest
    // folder above it that has them, wherever it runs from.
    let folder = args
        .targets
        .iter()
        .map(Path::new)
        .find(|t| t.exists())
        .map_or_else(|| dir.to_path_buf(), profile_dir::root_of);
    let folder = folder.as_path();
    let scope = match super::scope_for(folder, &args.var, args.env.as_deref()) {
        Ok(s) => s,
        Err(e) => return super::fail(e),
    };
    let transport = Arc::new(
        Transport::new(engine::keys::keystore::Keystore::open(home))
            .with_pins(Arc::new(super::pins::CliPins::new(&args.pin))),
    );
    let history = if args.no_history {
        None
    } else {
        super::history::open().map(Arc::new)
    };
    let pipeline = Pipeline::new(transport, history);
    let total = plan.len() + broken.len();
    let tty = std::io::stderr().is_terminal();
    let bar = tty.then(|| {
        let b = indicatif::ProgressBar::new(total as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let done = |o: &Outcome| {
        let line = line(o);
        match &bar {
            Some(b) => {
                b.inc(1);
                if !o.passed() {
                    b.println(line);
                }
                b.set_message(o.name.clone());
            }
            None => errln!("{line}"),
        }
    };
    let started = std::time::Instant::now();
    let broken: Vec<Outcome> = broken.into_iter().map(broken_outcome).collect();
    for o in &broken {
        done(o);
    }
    let mut outcomes = pipeline
        .run(
            plan,
            &scope,
            RunOptions {
                jobs: usize::from(args.jobs),
                fail_fast: args.fail_fast,
            },
            &done,
        )
        .await;
    outcomes.extend(broken);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let elapsed = started.elapsed();
    summary(&outcomes, elapsed);
    for (kind, file) in &reports {
        let text = match kind.as_str() {
            "junit" => junit(&outcomes, elapsed),
            _ => serde_json::to_string_pretty(&json_report(&outcomes)).unwrap_or_default(),
        };
        if let Err(e) = engine::home::write_atomic(file, text.as_bytes(), 0o644) {
            errln!(
                "error: cannot write the {kind} report {}: {e}",
                file.display()
            );
            return EXIT_USAGE;
        }
        errln!("wrote the {kind} report to {}", file.display());
    }
    exit_code(&outcomes)
}

/// A profile that cannot be read or is invalid: its name and why. It fails the run (exit 1)
/// but never stops the others.
type Broken = (String, String);

/// The profiles named, or every profile of the folders named (the profiles folder by default),
/// and those that cannot run.
fn collect(dir: &Path, targets: &[String]) -> Result<(Vec<Profile>, Vec<Broken>), String> {
    let mut good = Vec::new();
    let mut broken = Vec::new();
    let mut take = |name: String, r: Result<Profile, String>| match r {
        Ok(p) => good.push(p),
        Err(e) => broken.push((name, e)),
    };
    let folder = |folder: &Path, take: &mut dyn FnMut(String, Result<Profile, String>)| {
        for loaded in profile_dir::load_dir(folder) {
            take(loaded.name, loaded.result.map_err(|e| e.to_string()));
        }
    };
    if targets.is_empty() {
        folder(dir, &mut take);
        return Ok((good, broken));
    }
    for t in targets {
        let path = Path::new(t);
        if path.is_dir() {
            folder(path, &mut take);
        } else if path.is_file() {
            take(t.clone(), Profile::load(path).map_err(|e| e.to_string()));
        } else {
            take(
                t.clone(),
                profile_dir::find(dir, t).map_err(|e| e.to_string()),
            );
        }
    }
    Ok((good, broken))
}

/// The outcome of a profile that could not run, as a failed line of its own.
fn broken_outcome((name, why): Broken) -> Outcome {
    use engine::diagnose::Failure;
    use engine::diagnose::kind::DiagnosisKind;
    use engine::exchange::Diagnosis;
    let failure = Failure::plain(Diagnosis::new(
        DiagnosisKind::InvalidRequest,
        why,
        "fix the profile file named above",
    ));
    Outcome {
        name: name.clone(),
        sent: vec![engine::pipeline::Sent::unprepared(
            Profile {
                name,
                ..Profile::default()
            },
            failure,
        )],
        elapsed: std::time::Duration::ZERO,
    }
}

/// The profile's time in milliseconds, to a tenth (as reports show it).
fn ms(o: &Outcome) -> f64 {
    (o.elapsed.as_secs_f64() * 10_000.0).round() / 10.0
}

/// `text` in at most `width` characters, cut with `…`.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// One plain line per profile: `PASS accounts 200 12 ms (6/6 expectations)`.
fn line(o: &Outcome) -> String {
    let status = o
        .own()
        .and_then(|s| s.result.as_ref().as_ref().ok())
        .map(|ex| ex.status.to_string())
        .unwrap_or_else(|| "-".into());
    let expectations = o
        .own()
        .and_then(|s| s.verdict.as_ref())
        .map(|v| format!(" ({})", v.summary()))
        .unwrap_or_default();
    match verdict(o) {
        Verdict::Passed => format!("PASS {} {status} {:.0} ms{expectations}", o.name, ms(o)),
        Verdict::Skipped => format!("SKIP {} (after a failure, --fail-fast)", o.name),
        Verdict::Failed(why) | Verdict::Status(why) => {
            format!("FAIL {} {status} {:.0} ms: {why}", o.name, ms(o))
        }
        Verdict::Error(kind, message) => format!("FAIL {} [{kind}] {message}", o.name),
    }
}

fn summary(outcomes: &[Outcome], elapsed: std::time::Duration) {
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    let skipped = outcomes.iter().filter(|o| o.skipped()).count();
    let failed = outcomes.len() - passed - skipped;
    if std::io::stderr().is_terminal() {
        // 80 columns: 28 + 1 + 6 + 1 + 9 + 2 + 33. A failure's whole reason was printed once
        // above, as it happened; the table names it in a word.
        errln!("{:<28} {:>6} {:>9}  result", "profile", "status", "time");
        for o in outcomes {
            let status = o
                .own()
                .and_then(|s| s.result.as_ref().as_ref().ok())
                .map(|ex| ex.status.to_string())
                .unwrap_or_else(|| "-".into());
            let word = match verdict(o) {
                Verdict::Passed => "pass".to_string(),
                Verdict::Skipped => "skipped".to_string(),
                Verdict::Failed(_) => "FAIL expectations".to_string(),
                Verdict::Status(_) => "FAIL status".to_string(),
                Verdict::Error(k, _) => format!("FAIL {k}"),
            };
            errln!(
                "{:<28} {status:>6} {:>6.0} ms  {}",
                fit(&o.name, 28),
                ms(o),
                fit(&word, 33)
            );
        }
    }
    errln!(
        "{passed} passed, {failed} failed, {skipped} skipped in {:.2} s",
        elapsed.as_secs_f64()
    );
}

/// 0 only when everything passed; else the gravest: a send that could not be made (2, or 1 for
/// an invalid profile), an expectation (5), an error status (4).
fn exit_code(outcomes: &[Outcome]) -> i32 {
    let mut code = EXIT_OK;
    let rank = |c: i32| match c {
        EXIT_TRANSPORT => 4,
        EXIT_USAGE => 3,
        EXIT_EXPECTATION => 2,
        EXIT_STATUS => 1,
        _ => 0,
    };
    for o in outcomes {
        let c = match verdict(o) {
            Verdict::Passed => EXIT_OK,
            Verdict::Skipped => EXIT_OK,
            Verdict::Failed(_) => EXIT_EXPECTATION,
            Verdict::Status(_) => EXIT_STATUS,
            Verdict::Error(k, _) => super::exit::for_kind(k),
        };
        if rank(c) > rank(code) {
            code = c;
        }
    }
    code
}

/// JUnit XML as GitLab, GitHub and Jenkins read it: one testcase per profile.
/// Text for an XML attribute or element: markup escaped, and the characters XML 1.0 cannot
/// hold at all (control characters from a server or a profile name) replaced, so the report
/// stays a valid file.
fn escape(text: impl AsRef<str>) -> String {
    let valid = |c: char| {
        matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{D7FF}').contains(&c)
            || ('\u{E000}'..='\u{FFFD}').contains(&c)
            || c >= '\u{10000}'
    };
    let clean: String = text
        .as_ref()
        .chars()
        .map(|c| if valid(c) { c } else { '\u{FFFD}' })
        .collect();
    quick_xml::escape::escape(&clean).into_owned()
}

fn junit(outcomes: &[Outcome], elapsed: std::time::Duration) -> String {
    let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let failures = count(&|o| matches!(verdict(o), Verdict::Failed(_) | Verdict::Status(_)));
    let errors = count(&|o| matches!(verdict(o), Verdict::Error(..)));
    let skipped = count(&|o| o.skipped());
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let head = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{:.3}\"",
        outcomes.len(),
        elapsed.as_secs_f64()
    );
    x.push_str(&format!("<testsuites name=\"certbench run\" {head}>\n"));
    x.push_str(&format!("  <testsuite name=\"certbench\" {head}>\n"));
    for o in outcomes {
        x.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"certbench.profiles\" time=\"{:.3}\"",
            escape(&o.name),
            o.elapsed.as_secs_f64()
        ));
        let body = match verdict(o) {
            Verdict::Passed => String::new(),
            Verdict::Skipped => "      <skipped message=\"--fail-fast stopped the run\"/>\n".into(),
            Verdict::Failed(why) => format!(
                "      <failure type=\"expectation_failed\" message=\"{}\">{}</failure>\n",
                escape(&why),
                escape(why.replace("; ", "\n"))
            ),
            Verdict::Status(why) => format!(
                "      <failure type=\"http_status\" message=\"{0}\">{0}</failure>\n",
                escape(&why)
            ),
            Verdict::Error(kind, message) => format!(
                "      <error type=\"{kind}\" message=\"{0}\">{0}</error>\n",
                escape(message)
            ),
        };
        let out = o.own().map(sent_line).unwrap_or_default();
        if body.is_empty() && out.is_empty() {
            x.push_str("/>\n");
            continue;
        }
        x.push_str(">\n");
        x.push_str(&body);
        if !out.is_empty() {
            x.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                escape(&out)
            ));
        }
        x.push_str("    </testcase>\n");
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

/// "GET https://host/path -> 200 OK" (URL as recorded: secrets redacted).
fn sent_line(s: &Sent) -> String {
    let url = &s.summary.url;
    match &*s.result {
        Ok(ex) => format!("{} {url} -> {} {}", s.summary.method, ex.status, ex.reason),
        Err(f) => format!("{} {url} -> {}", s.summary.method, f.diagnosis.kind),
    }
}

fn json_report(outcomes: &[Outcome]) -> Value {
    Value::Array(
        outcomes
            .iter()
            .map(|o| {
                let own = o.own();
                let (result, message) = match verdict(o) {
                    Verdict::Passed => ("passed", String::new()),
                    Verdict::Skipped => ("skipped", String::new()),
                    Verdict::Failed(w) => ("expectation_failed", w),
                    Verdict::Status(w) => ("http_status", w),
                    Verdict::Error(k, m) => (k.as_str(), m.to_string()),
                };
                json!({
                    "profile": o.name,
                    "passed": o.passed(),
                    "result": result,
                    "message": message,
                    "status": own.and_then(|s| s.result.as_ref().as_ref().ok()).map(|ex| ex.status),
                    "url": own.map(|s| s.summary.url.clone()),
                    "duration_ms": ms(o),
                    "expectations": own.and_then(|s| s.verdict.clone()),
                    "required_first": o.sent.len().saturating_sub(1),
                    "history_id": own.and_then(|s| s.recorded_id()),
                })
            })
            .collect(),
    )
}
