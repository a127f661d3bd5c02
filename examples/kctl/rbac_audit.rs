//! `auth rbac-from-audit`: least-privilege RBAC for one user from an audit log, or how given
//! manifests compare with it. Reads files only; needs no cluster.
//!
//! - `kctl auth rbac-from-audit --user U -f audit.log`: the Roles, ClusterRole and bindings
//!   that allow every request U made, as YAML ready to apply; denied requests follow as comments
//!   with the rule that would allow each.
//! - `... --compare -f manifests/`: the manifests (files or directories after the log, plus the
//!   bootstrap roles they bind to) against the evidence: used but not granted (exit status 1),
//!   granted but never used, and the bootstrap rules never used.
//!
//! The user is kubectl's global `--user` (a kubeconfig user means nothing here) or
//! `--serviceaccount NAMESPACE:NAME`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kubeset::audit::{DeriveOptions, Policy, Usage, describe_rule, read_log};

/// Flags of `auth rbac-from-audit`.
#[derive(Debug, Args)]
pub(crate) struct RbacFromAuditArgs {
    /// The audit log (JSON lines), then with `--compare` the manifests (files or directories).
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// The ServiceAccount (`NAMESPACE:NAME`) instead of `--user`.
    #[arg(long, value_name = "NAMESPACE:NAME")]
    pub(crate) serviceaccount: Option<String>,
    /// Compare the manifests given after the log with what the user used.
    #[arg(long)]
    pub(crate) compare: bool,
    /// Restrict rules to the object names used (`resourceNames`).
    #[arg(long)]
    pub(crate) resource_names: bool,
    /// The name of the generated roles and bindings.
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
}

/// Runs the command for `user` (the global `--user`).
pub(crate) fn run(user: Option<&str>, args: &RbacFromAuditArgs) -> ExitCode {
    match derive_or_compare(user, args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn derive_or_compare(user: Option<&str>, args: &RbacFromAuditArgs) -> Result<ExitCode, String> {
    let user = match (&args.serviceaccount, user) {
        (Some(sa), _) => match sa.split_once(':') {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() => {
                format!("system:serviceaccount:{ns}:{name}")
            }
            _ => {
                return Err(format!(
                    "--serviceaccount must be NAMESPACE:NAME, not {sa:?}"
                ));
            }
        },
        (None, Some(user)) => user.to_owned(),
        (None, None) => return Err("--user or --serviceaccount is required".into()),
    };
    let Some((log, manifests)) = args.files.split_first() else {
        return Err("an audit log is required: -f FILE".into());
    };
    let events = read_log(log).map_err(|e| chain(&e))?;
    let usage = Usage::of(&events, &user);
    if usage.allowed.is_empty() && usage.denied.is_empty() {
        return Err(format!("no requests of {user} in {}", log.display()));
    }
    if !args.compare {
        if !manifests.is_empty() {
            return Err("more than one -f needs --compare".into());
        }
        let mut options = DeriveOptions::default().resource_names(args.resource_names);
        if let Some(name) = &args.name {
            options = options.name(name.clone());
        }
        let derived = usage.derive(&options);
        print!("{}", derived.to_yaml().map_err(|e| chain(&e))?);
        for denied in &derived.denied {
            println!(
                "# denied {}x: {}; allowed by: {}",
                denied.count,
                denied.request,
                describe_rule(&denied.rule)
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if manifests.is_empty() {
        return Err("--compare needs manifests: -f FILE|DIR after the audit log".into());
    }
    let mut policy = Policy::bootstrap();
    for path in manifests {
        policy.merge(Policy::read(path).map_err(|e| chain(&e))?);
    }
    let comparison = usage.compare(&policy);
    let section = |title: &str, lines: Vec<String>| {
        if lines.is_empty() {
            println!("{title}: none");
        } else {
            println!("{title}:");
        }
        for line in lines {
            println!("  {line}");
        }
    };
    section(
        "used but not granted",
        comparison.missing.iter().map(ToString::to_string).collect(),
    );
    section(
        "granted but never used",
        comparison.too_much().map(ToString::to_string).collect(),
    );
    section(
        "bootstrap rules never used",
        comparison
            .unused
            .iter()
            .filter(|u| u.source.bootstrap)
            .map(ToString::to_string)
            .collect(),
    );
    Ok(if comparison.too_little() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// An error and its causes, joined with `: `.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
