//! Column alignment as kubectl does it: Go's elastic tabstops (`text/tabwriter`, in the fork
//! kubectl vendors) with kubectl's settings: minimum cell width 6, padding 3, spaces.
//!
//! Lines are cells separated by `\t`. Only tab-terminated cells belong to a column; the last
//! cell of a line is written as is. A run of consecutive lines that all have a cell in a column
//! is one block, and the block's cells are padded to its widest cell plus the padding. With
//! remembered widths (what `kubectl get -w` relies on), a column never gets narrower than it
//! was in an earlier flush, so rows printed one event at a time stay aligned.

/// kubectl's minimum cell width (text plus padding).
const MIN_WIDTH: usize = 6;
/// kubectl's padding after the text of a cell.
const PADDING: usize = 3;

/// Buffers lines and aligns them on [`TabWriter::flush`].
#[derive(Debug, Default)]
pub(crate) struct TabWriter {
    /// Complete lines not yet flushed, each split into cells at tabs.
    lines: Vec<Vec<String>>,
    /// Text after the last newline.
    partial: String,
    /// Widest width seen per column depth across flushes (kubectl's `RememberWidths`).
    remembered: Vec<usize>,
}

impl TabWriter {
    /// Appends text; it may hold several lines.
    pub(crate) fn write(&mut self, text: &str) -> String {
        let mut out = String::new();
        self.partial.push_str(text);
        while let Some(at) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=at).collect();
            let cells: Vec<String> = line[..line.len() - 1]
                .split('\t')
                .map(str::to_owned)
                .collect();
            let single = cells.len() == 1;
            self.lines.push(cells);
            // A line without tabs cannot affect later alignment: Go flushes there.
            if single {
                out.push_str(&self.format_lines());
            }
        }
        out
    }

    /// Aligns and returns everything buffered.
    pub(crate) fn flush(&mut self) -> String {
        let mut out = self.format_lines();
        out.push_str(&std::mem::take(&mut self.partial));
        out
    }

    /// Aligns and returns the complete lines buffered.
    fn format_lines(&mut self) -> String {
        let mut out = String::new();
        let lines = std::mem::take(&mut self.lines);
        let mut widths = Vec::new();
        self.format(&lines, 0, lines.len(), &mut widths, &mut out);
        out
    }

    /// Forgets the remembered widths (kubectl does so when a new resource type starts).
    pub(crate) fn reset_widths(&mut self) {
        self.remembered.clear();
    }

    fn format(
        &mut self,
        lines: &[Vec<String>],
        mut line0: usize,
        line1: usize,
        widths: &mut Vec<usize>,
        out: &mut String,
    ) {
        let column = widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= lines[this].len() {
                this += 1;
                continue;
            }
            // A block of lines with a cell in `column` starts here.
            write_lines(lines, line0, this, widths, out);
            line0 = this;
            let mut width = MIN_WIDTH;
            while this < line1 && column + 1 < lines[this].len() {
                width = width.max(text_width(&lines[this][column]) + PADDING);
                this += 1;
            }
            if self.remembered.len() < widths.len() {
                self.remembered
                    .extend_from_slice(&widths[self.remembered.len()..]);
            }
            match self.remembered.get_mut(column) {
                None => self.remembered.push(width),
                Some(seen) if *seen > width => width = *seen,
                Some(seen) => *seen = width,
            }
            widths.push(width);
            self.format(lines, line0, this, widths, out);
            widths.pop();
            line0 = this;
        }
        write_lines(lines, line0, line1, widths, out);
    }
}

fn write_lines(
    lines: &[Vec<String>],
    line0: usize,
    line1: usize,
    widths: &[usize],
    out: &mut String,
) {
    for line in &lines[line0..line1] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if let Some(width) = widths.get(j).filter(|_| j + 1 < line.len()) {
                let pad = width.saturating_sub(text_width(cell));
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
}

/// Go counts runes.
fn text_width(text: &str) -> usize {
    text.chars().count()
}

/// Aligns `text` in one go (a fresh writer, one flush).
pub(crate) fn align(text: &str) -> String {
    let mut writer = TabWriter::default();
    let mut out = writer.write(text);
    out.push_str(&writer.flush());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(align(input), expected);
    }

    #[test]
    fn aligns_like_go() {
        check(
            "NAME\tSTATUS\tAGE\ndefault\tActive\t7s\nkube-node-lease\tActive\t7s\n",
            "NAME              STATUS   AGE\ndefault           Active   7s\nkube-node-lease   Active   7s\n",
        );
        // Minimum width 6 (text plus padding).
        check("A\tB\nC\tD\n", "A     B\nC     D\n");
        // A line without tabs ends the block.
        check("a\tb\n\nlonger-name\tc\n", "a     b\n\nlonger-name   c\n");
    }

    #[test]
    fn remembered_widths_never_shrink() {
        let mut writer = TabWriter::default();
        let mut out = writer.write("NAME\tAGE\nlong-name-here\t1s\n");
        out.push_str(&writer.flush());
        out.push_str(&writer.write("a\t2s\n"));
        out.push_str(&writer.flush());
        assert_eq!(
            out,
            "NAME             AGE\nlong-name-here   1s\na                2s\n"
        );
        writer.reset_widths();
        out = writer.write("a\t2s\n");
        out.push_str(&writer.flush());
        assert_eq!(out, "a     2s\n");
    }
}
