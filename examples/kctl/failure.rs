//! kubectl's error lines.
//!
//! kubectl prints an API error as `Error from server (Reason): message` (the server's
//! `Status`), a 401 as `error: You must be logged in to the server (...)`, a refused
//! connection and an unreachable server with their own sentences, and everything else as
//! `error: ...`. A [`Failure`] holds one such line; `Display` is the line.

use std::error::Error as StdError;

use kubeset::clientset::Error;

use crate::get_raw::ServerError;

/// One line kubectl would print to stderr for a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    line: String,
}

impl Failure {
    /// `error: {message}`.
    pub(crate) fn error(message: impl std::fmt::Display) -> Self {
        Self {
            line: format!("error: {message}"),
        }
    }

    /// A flag or argument cobra rejected: `Error: {message}` and where to find help.
    pub(crate) fn usage(command: &str, message: impl std::fmt::Display) -> Self {
        Self {
            line: format!("Error: {message}\nSee 'kubectl {command} --help' for usage."),
        }
    }

    /// A failure that only sets the exit status (`auth can-i` answering no).
    pub(crate) fn silent() -> Self {
        Self {
            line: String::new(),
        }
    }

    /// Whether this failure prints nothing.
    pub(crate) fn is_silent(&self) -> bool {
        self.line.is_empty()
    }

    /// A line kubectl prints as is.
    pub(crate) fn line(line: impl Into<String>) -> Self {
        Self { line: line.into() }
    }

    /// What kubectl prints for a failed request to `server` (`host:port`).
    pub(crate) fn request(error: &Error, server: &str) -> Self {
        if let Some(api) = error.api() {
            let server_error = ServerError {
                reason: api.reason().to_owned(),
                message: api.message().to_owned(),
            };
            return Self::line(server_error.to_string());
        }
        if let Error::Transport { source, .. } = error {
            if refused(source.as_ref()) {
                return Self::line(format!(
                    "The connection to the server {server} was refused - did you specify the right host or port?"
                ));
            }
            return Self::line(format!(
                "Unable to connect to the server: {}",
                chain(source.as_ref())
            ));
        }
        Self::error(chain(error))
    }

    /// kubectl's `error: {context}: {the request's failure}` for errors it wraps (as
    /// `create token` does), API errors reduced to their message.
    pub(crate) fn wrapped(context: &str, error: &Error, server: &str) -> Self {
        match error.api() {
            Some(api) => Self::error(format!("{context}: {}", api.message())),
            None => Self::request(error, server),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.line)
    }
}

impl StdError for Failure {}

/// Whether a connection was refused somewhere down the chain.
fn refused(error: &(dyn StdError + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// An error and its causes, one level each, joined with `: ` (a level that already ends
/// with its cause's text is not repeated).
pub(crate) fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
