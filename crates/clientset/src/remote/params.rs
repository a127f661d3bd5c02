//! Options of exec and attach.

use crate::query::Query;

/// Which streams an exec or attach session opens, in which container, with or without a
/// terminal.
///
/// The default is stdout and stderr, no stdin, no terminal: what a command run for its output
/// needs. With a terminal the server merges stderr into stdout, so [`tty`](Self::tty) turns
/// stderr off as kubectl does.
///
/// ```
/// use kubeset_clientset::ExecParams;
///
/// let ep = ExecParams::default().container("app").stdin().tty();
/// assert!(ep.stdin && ep.tty && !ep.stderr);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecParams {
    /// The container (required when the pod has several).
    pub container: Option<String>,
    /// Open stdin.
    pub stdin: bool,
    /// Open stdout.
    pub stdout: bool,
    /// Open stderr (never with a terminal).
    pub stderr: bool,
    /// Run under a terminal.
    pub tty: bool,
}

impl Default for ExecParams {
    fn default() -> Self {
        Self {
            container: None,
            stdin: false,
            stdout: true,
            stderr: true,
            tty: false,
        }
    }
}

impl ExecParams {
    /// Sets the container.
    pub fn container(mut self, container: &str) -> Self {
        self.container = Some(container.to_owned());
        self
    }

    /// Opens stdin.
    pub fn stdin(mut self) -> Self {
        self.stdin = true;
        self
    }

    /// Runs under a terminal (and turns stderr off: the terminal carries it).
    pub fn tty(mut self) -> Self {
        self.tty = true;
        self.stderr = false;
        self
    }

    /// Sets whether stdout is opened.
    pub fn stdout(mut self, open: bool) -> Self {
        self.stdout = open;
        self
    }

    /// Sets whether stderr is opened.
    pub fn stderr(mut self, open: bool) -> Self {
        self.stderr = open;
        self
    }

    pub(crate) fn write(&self, q: &mut Query, command: &[&str]) {
        for arg in command {
            q.push("command", arg);
        }
        q.push_opt("container", self.container.as_deref());
        q.push_flag("stdin", self.stdin);
        q.push_flag("stdout", self.stdout);
        q.push_flag("stderr", self.stderr && !self.tty);
        q.push_flag("tty", self.tty);
    }
}
