//! Reading audit logs: one JSON `Event` per line; only `ResponseComplete` events count (a
//! request has exactly one), blank lines are skipped, a bad line is an error naming it.

use std::path::Path;

use crate::error::Error;
use crate::event::Event;

/// The `ResponseComplete` events of a JSON-lines audit log, in order.
///
/// # Errors
/// A line is not JSON or not an audit event ([`Error::Line`] names its number, from 1).
///
/// ```
/// let log = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseStarted","verb":"watch"}
/// {"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete","verb":"get"}"#;
/// let events = kubeset_audit::parse_log(log)?;
/// assert_eq!(events.len(), 1);
/// assert_eq!(events[0].verb, "get");
/// # Ok::<_, kubeset_audit::Error>(())
/// ```
pub fn parse_log(text: &str) -> Result<Vec<Event>, Error> {
    let mut events = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let event: Event = serde_json::from_str(line).map_err(|source| Error::Line {
            line: index + 1,
            source,
        })?;
        if event.stage == "ResponseComplete" {
            events.push(event);
        }
    }
    Ok(events)
}

/// [`parse_log`] of a file.
///
/// # Errors
/// The file cannot be read ([`Error::Read`]), or a line is bad ([`Error::Line`]).
///
/// ```no_run
/// let events = kubeset_audit::read_log(std::path::Path::new("/var/log/kubernetes/audit.log"))?;
/// # Ok::<_, kubeset_audit::Error>(())
/// ```
pub fn read_log(path: &Path) -> Result<Vec<Event>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_log(&text).map_err(|e| e.in_file(path))
}
