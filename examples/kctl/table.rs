//! The server's `Table`, printed as `kubectl get` prints it.
//!
//! kubectl asks the API server for a `Table` (`Accept: application/json;as=Table;...`) and
//! prints it: upper-cased headers (only when there are rows, and not again for a table with
//! the same columns), wide columns only with `-o wide`, a `NAMESPACE` column first with `-A`
//! (namespaced kinds only), `kind/` before the name when several kinds were asked for, cells
//! cut at their first line break (`...` marks the cut), all aligned by Go's tabwriter. A
//! blank line separates the tables of different kinds.

use kubeset::clientset::{Table, TableColumn};

use crate::tabwriter::TabWriter;

/// How one kind's tables are printed.
#[derive(Debug, Clone, Default)]
pub(crate) struct TableOptions {
    /// `-o wide`: columns of every priority.
    pub(crate) wide: bool,
    /// `-A` on a namespaced kind: a `NAMESPACE` column first.
    pub(crate) with_namespace: bool,
    /// Several kinds asked for: names print as `kind.group/name`.
    pub(crate) kind: Option<String>,
    /// `--output-watch-events`: an `EVENT` column first.
    pub(crate) event_column: bool,
    /// `--no-headers`.
    pub(crate) no_headers: bool,
    /// `--show-labels`: a `LABELS` column last.
    pub(crate) show_labels: bool,
}

/// Prints tables for one or more kinds, keeping kubectl's state between them.
#[derive(Debug, Default)]
pub(crate) struct TablePrinter {
    tab: TabWriter,
    options: TableOptions,
    last_columns: Option<Vec<TableColumn>>,
    /// A header was printed for `last_columns`.
    printed_headers: bool,
    /// Bytes written so far (kubectl's tracking writer).
    written: usize,
    /// A blank line is due before the next output (a new kind after earlier output).
    separator: bool,
}

impl TablePrinter {
    /// Starts the tables of a new kind.
    pub(crate) fn start_kind(&mut self, options: TableOptions) -> String {
        let out = self.flush();
        self.tab.reset_widths();
        if self.written > 0 && !options.no_headers {
            self.separator = true;
        }
        self.options = options;
        self.last_columns = None;
        self.printed_headers = false;
        out
    }

    /// Whether anything was printed yet.
    pub(crate) fn wrote_anything(&self) -> bool {
        self.written > 0
    }

    /// Adds `table` (with `event` for the `EVENT` column of watch events); returns the
    /// aligned text that is ready.
    pub(crate) fn print(&mut self, table: &Table, event: Option<&str>) -> String {
        let no_headers = self.printed_headers
            && (table.column_definitions.is_empty()
                || self.last_columns.as_ref() == Some(&table.column_definitions));
        if !table.column_definitions.is_empty()
            && self.last_columns.as_ref() != Some(&table.column_definitions)
        {
            self.last_columns = Some(table.column_definitions.clone());
            self.printed_headers = false;
        }
        let columns = self.last_columns.clone().unwrap_or_default();
        if table.rows.is_empty() {
            return String::new();
        }
        self.printed_headers = true;
        let mut text = String::new();
        let visible: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| self.options.wide || c.priority == 0)
            .map(|(i, _)| i)
            .collect();
        if !no_headers && !self.options.no_headers {
            let mut headers = Vec::new();
            if self.options.event_column {
                headers.push(String::from("EVENT"));
            }
            if self.options.with_namespace {
                headers.push(String::from("NAMESPACE"));
            }
            headers.extend(visible.iter().map(|&i| columns[i].name.to_uppercase()));
            if self.options.show_labels {
                headers.push(String::from("LABELS"));
            }
            text.push_str(&headers.join("\t"));
            text.push('\n');
        }
        let name_column = columns.iter().position(|c| c.format == "name");
        for row in &table.rows {
            let mut cells = Vec::new();
            if let Some(event) = event.filter(|_| self.options.event_column) {
                cells.push(event_text(event));
            }
            if self.options.with_namespace {
                let namespace = row
                    .object
                    .as_ref()
                    .and_then(|o| o["metadata"]["namespace"].as_str())
                    .unwrap_or_default();
                cells.push(namespace.to_owned());
            }
            for &i in &visible {
                let mut cell = cell_text(row.cells.get(i));
                if let Some(kind) = self
                    .options
                    .kind
                    .as_deref()
                    .filter(|_| name_column == Some(i))
                {
                    cell = format!("{kind}/{cell}");
                }
                cells.push(cell);
            }
            if self.options.show_labels {
                cells.push(labels_text(row.object.as_ref()));
            }
            text.push_str(&cells.join("\t"));
            text.push('\n');
        }
        let ready = self.tab.write(&text);
        self.emit(ready)
    }

    /// Aligns and returns everything buffered.
    pub(crate) fn flush(&mut self) -> String {
        let text = self.tab.flush();
        self.emit(text)
    }

    fn emit(&mut self, text: String) -> String {
        if text.is_empty() {
            return text;
        }
        self.written += text.len();
        if std::mem::take(&mut self.separator) {
            return format!("\n{text}");
        }
        text
    }
}

/// A cell as kubectl prints it: strings up to their first line break (then `...`), other
/// values as Go's `fmt` prints them, nothing for null.
pub(crate) fn cell_text(cell: Option<&serde_json::Value>) -> String {
    match cell {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => match s.find(['\n', '\r', '\u{c}']) {
            Some(at) => format!("{}...", &s[..at]),
            None => s.clone(),
        },
        Some(serde_json::Value::Array(items)) => {
            let inner: Vec<String> = items.iter().map(|v| cell_text(Some(v))).collect();
            format!("[{}]", inner.join(" "))
        }
        Some(other) => other.to_string(),
    }
}

/// kubectl pads the event types to one width (`ADDED   `, `MODIFIED`, `DELETED `).
fn event_text(event: &str) -> String {
    match event {
        "ADDED" | "DELETED" | "ERROR" => format!("{event:<8}"),
        other => other.to_owned(),
    }
}

/// The object's labels as kubectl's `--show-labels` prints them: `k=v` sorted, comma-joined,
/// `<none>` when there are none.
fn labels_text(object: Option<&serde_json::Value>) -> String {
    let labels = object
        .and_then(|o| o["metadata"]["labels"].as_object())
        .filter(|l| !l.is_empty());
    match labels {
        None => String::from("<none>"),
        Some(labels) => {
            let mut pairs: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect();
            pairs.sort();
            pairs.join(",")
        }
    }
}
