//! `certbench import FILE...`: a Postman collection with its environments and Newman's client
//! certificate list becomes a folder of profiles, with its keys in the keystore and bound to
//! their hosts; a report says what came over and what did not. (`import curl` is in `curl.rs`.)

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use super::exit::{EXIT_OK, EXIT_USAGE};
use super::{PasswordArgs, fail};
use engine::home;
use engine::interop::collection::{Collection, Format, file_safe};
use engine::interop::collection_write::{self, NotWritten};
use engine::interop::import_files;
use engine::keys::keystore::Keystore;

#[derive(Args, Debug)]
pub struct ImportFilesArgs {
    /// Files to import together, each told by its content: a Postman collection (v2.0, v2.1), its environment files and a Newman --ssl-client-cert-list file; an Insomnia v4 or v5 export and the app's insomnia.ClientCertificate.db; a Bruno collection folder (bruno.json or opencollection.yml); an OpenAPI 3.x or Swagger 2.0 file; .http/.rest files with http-client.env.json or .vscode/settings.json; a HAR file
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read every file as this format instead of telling it from the content
    #[arg(long, value_name = "F", value_parser = format_parser())]
    pub format: Option<Format>,
    /// The folder's name inside the profiles folder (default: the collection's name)
    #[arg(long)]
    pub name: Option<String>,
    /// Replace that folder when it exists
    #[arg(long)]
    pub force: bool,
    /// Say what would be imported; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
}

/// `--format`'s values: each format's id, offered to completions and listed on a typo.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(
        Format::ALL.map(|f| clap::builder::PossibleValue::new(f.id()).help(f.label())),
    )
    // Only the ids above get here, so each names a format.
    .map(|id: String| Format::from_id(&id).unwrap_or(Format::PostmanCollection))
}

pub fn import(profiles_dir: &Path, ks: &Keystore, args: &ImportFilesArgs) -> i32 {
    if args.files.is_empty() {
        errln!(
            "error: name the files to import, e.g. certbench import api.postman_collection.json dev.postman_environment.json certs.json (or `import curl 'curl ...'`)"
        );
        return EXIT_USAGE;
    }
    let mut c = match import_files::read_files(&args.files, args.format) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    if let Some(name) = &args.name {
        c.name = file_safe(name);
    }
    if c.name.is_empty() {
        c.name = "imported".into();
    }
    let target = profiles_dir.join(&c.name);
    let password = match super::keys::given_password(&args.password) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let home = home::home_dir();
    // A key file whose settings hold no password, and none given: asked on a terminal.
    let ask = |what: &str| super::keys::prompt_password(what);
    let passwords = collection_write::Passwords {
        given: password.as_deref(),
        ask: &ask,
    };
    let place = (!args.dry_run).then_some((ks, home.as_path(), passwords));
    let written = match collection_write::import_collection(&mut c, &target, place, args.force) {
        Ok(w) => w,
        Err(e @ NotWritten::Exists(_)) => {
            return fail(format!(
                "{e}: import with --force to replace it, or --name to pick another folder"
            ));
        }
        Err(e @ NotWritten::NotAFolder(_)) => {
            return fail(format!("{e}; import with --name to pick another folder"));
        }
        Err(e) => return fail(e),
    };
    report(&c, &target, written.as_ref(), args);
    match written {
        Some(w) if !w.failed.is_empty() => 1,
        _ => EXIT_OK,
    }
}

fn report(
    c: &Collection,
    target: &Path,
    written: Option<&collection_write::Written>,
    args: &ImportFilesArgs,
) {
    let profiles: Vec<&str> = c.profiles.iter().map(|p| p.name.as_str()).collect();
    let envs: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
    if args.json {
        let v = json!({
            "dry_run": args.dry_run,
            "folder": target.display().to_string(),
            "profiles": profiles,
            "environments": envs,
            "keys": written.map(|w| json!(w.keys)).unwrap_or_else(|| json!(c.certificates.iter().map(|k| json!({"name": k.name, "bound": k.patterns})).collect::<Vec<_>>())),
            "not_imported": c.skipped.iter().chain(written.into_iter().flat_map(|w| &w.failed)).collect::<Vec<_>>(),
            "secrets": c.secrets,
        });
        outln!("{v}");
        return;
    }
    let verb = if args.dry_run {
        "would import"
    } else {
        "imported"
    };
    if c.has_files() {
        outln!(
            "{verb} {} profile{} and {} environment{} into {}",
            profiles.len(),
            if profiles.len() == 1 { "" } else { "s" },
            envs.len(),
            if envs.len() == 1 { "" } else { "s" },
            target.display()
        );
    } else {
        outln!("no requests, variables or environments in these files: no folder written");
    }
    match written {
        Some(w) => {
            for k in &w.keys {
                let bound = if k.bound.is_empty() {
                    "not bound".to_string()
                } else {
                    format!("bound to {}", k.bound.join(", "))
                };
                let how = if k.reused {
                    "already stored as"
                } else {
                    "stored as"
                };
                outln!(
                    "  key {}: {} ({how} {}), {bound}",
                    k.name,
                    k.subject,
                    k.name
                );
            }
            for f in &w.failed {
                outln!("  not imported: {}: {}", f.what, f.why);
            }
        }
        None => {
            for k in &c.certificates {
                outln!("  key {} for {}", k.name, k.patterns.join(", "));
            }
        }
    }
    for s in &c.skipped {
        outln!("  not imported: {}: {}", s.what, s.why);
    }
    if !c.secrets.is_empty() {
        outln!(
            "  secrets were not stored; set these before sending: {}",
            c.secrets.join(", ")
        );
    }
    if !args.dry_run && !profiles.is_empty() {
        let env = envs
            .first()
            .map(|e| format!(" --env {e}"))
            .unwrap_or_default();
        outln!(
            "open them: certbench --profiles {}    run them: certbench run {}{env}",
            target.display(),
            target.display()
        );
    }
}
