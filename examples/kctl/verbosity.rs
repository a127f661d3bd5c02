//! kubectl's `-v=N`: the transport's request log (`kubeset_transport::http_log`) printed to
//! standard error in klog's line format, `I1206 21:45:52.519403    1730 http_log] GET …`.
//!
//! The transport masks credentials before a line is written; this module only prints.

use std::fmt;

use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// klog's header before each message.
struct Klog;

impl<S, N> FormatEvent<S, N> for Klog
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let now = jiff::Zoned::now();
        write!(
            writer,
            "I{} {:>7} http_log] ",
            now.strftime("%m%d %H:%M:%S%.6f"),
            std::process::id()
        )?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Prints the request log to standard error when `level` (kubectl's `-v`) asks for it.
pub(crate) fn install(level: Option<u8>) {
    if level.is_none_or(|level| level < 6) {
        return;
    }
    let filter = tracing_subscriber::filter::Targets::new()
        .with_target("kubeset_transport::http_log", tracing::Level::INFO);
    let subscriber = tracing_subscriber::fmt()
        .event_format(Klog)
        .with_writer(std::io::stderr)
        .finish();
    use tracing_subscriber::layer::SubscriberExt as _;
    let _ = tracing::subscriber::set_global_default(subscriber.with(filter));
}
