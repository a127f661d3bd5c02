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
    // --flatten prints the inlined data as is (kubectl redacts only when neither is given).
    let document = kubeconfig.view(args.raw || args.flatten);
    match args.output {
        // kubectl's JSON: its field order, four-space indentation.
        Output::Json => {
            let mut out = Vec::new();
            let formatter = GoFormatter(serde_json::ser::PrettyFormatter::with_indent(b"    "));
            let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
            serde::Serialize::serialize(&document, &mut serializer)?;
            out.push(b'\n');
            Ok(String::from_utf8(out)?)
        }
        // kubectl's YAML: keys sorted.
        Output::Yaml => Ok(serde_saphyr::to_string(&document.to_json())?),
    }
}

/// kubectl's JSON escaping: Go's `encoding/json` also escapes `<`, `>`, `&`, U+2028 and
/// U+2029 inside strings.
struct GoFormatter<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for GoFormatter<'_> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(['<', '>', '&', '\u{2028}', '\u{2029}']) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}
