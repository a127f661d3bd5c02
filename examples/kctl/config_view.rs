//! `kctl config view`: the merged kubeconfig, printed as `kubectl config view` prints it.

use std::error::Error;

use clap::{ArgAction, Args, ValueEnum};
use kubeset::config::ProcessEnv;
use kubeset::config::kubeconfig::Sources;

use crate::GlobalFlags;

/// Flags of `config view`.
#[derive(Debug, Args)]
pub(crate) struct ViewArgs {
    /// Remove all information not used by the current context.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_value = "false", default_missing_value = "true")]
    minify: bool,
    /// Inline certificate and key files into the output (implies --raw).
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_value = "false", default_missing_value = "true")]
    flatten: bool,
    /// Show certificate data, tokens and passwords instead of redacting them.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_value = "false", default_missing_value = "true")]
    raw: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "yaml")]
    output: Output,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Output {
    Json,
    Yaml,
}

/// Runs `config view` and returns what to print.
pub(crate) fn run(globals: &GlobalFlags, args: &ViewArgs) -> Result<String, Box<dyn Error>> {
    let sources = Sources::from_env(globals.kubeconfig.as_deref(), &ProcessEnv);
    // kubectl's config commands accept a --kubeconfig that does not exist yet.
    let mut kubeconfig = sources.load_lenient()?;
    if args.minify {
        // Of the global flags, `config view` honours only --context, and only to minify.
        if let Some(context) = globals.context.as_deref().filter(|c| !c.is_empty()) {
            kubeconfig.current_context = context.to_string();
        }
        kubeconfig.minify()?;
    }
    if args.flatten {
        kubeconfig.flatten()?;
    }
    let document = kubeconfig.to_view_json(args.raw || args.flatten);
    match args.output {
        Output::Json => {
            let mut out = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
            serde::Serialize::serialize(&document, &mut serializer)?;
            out.push(b'\n');
            Ok(String::from_utf8(out)?)
        }
        Output::Yaml => Ok(serde_saphyr::to_string(&document)?),
    }
}
