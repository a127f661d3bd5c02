//! go-cmp's `cmp.Diff` of two lists of CertificateSigningRequest conditions of one type, as
//! `validateCertificateSigningRequestUpdate` appends it to "updates may not modify a condition
//! of type ...": the internal type's fields in Go's order, times as `time.Time.String()` in
//! UTC (`s"2026-01-01 00:00:00 +0000 UTC"`), two records of context around a change and the
//! rest elided as `... // N identical fields`.
//!
//! go-cmp writes its `-`/`+` markers with regular or non-breaking spaces at random, per
//! process; this writes regular spaces. Strings of 32 bytes or more on both sides get a
//! character diff from go-cmp; here they are shown whole, as shorter ones are.

use serde_json::Value;

use super::go_quote;

/// The internal `CertificateSigningRequestCondition`'s fields: Go name, JSON name, is a time.
const FIELDS: &[(&str, &str, bool)] = &[
    ("Type", "type", false),
    ("Status", "status", false),
    ("Reason", "reason", false),
    ("Message", "message", false),
    ("LastUpdateTime", "lastUpdateTime", true),
    ("LastTransitionTime", "lastTransitionTime", true),
];

/// How many equal records go-cmp shows on each side of a change (`numContextRecords`).
const CONTEXT: usize = 2;

/// `time.Time.String()` of an RFC 3339 UTC time, the zero time when absent.
fn go_time(text: &str) -> String {
    if text.is_empty() {
        return "0001-01-01 00:00:00 +0000 UTC".to_owned();
    }
    match text.strip_suffix('Z').and_then(|t| t.split_once('T')) {
        Some((date, time)) => format!("{date} {time} +0000 UTC"),
        None => text.to_owned(),
    }
}

fn field<'a>(c: &'a Value, json: &str) -> &'a str {
    c.get(json).and_then(Value::as_str).unwrap_or("")
}

fn rendered(c: &Value, json: &str, time: bool) -> String {
    let value = field(c, json);
    if time {
        format!("s{}", go_quote(&go_time(value)))
    } else {
        go_quote(value)
    }
}

/// One record of a list diff: its key (empty for list elements) and what it shows.
enum Record {
    /// Equal on both sides: the rendered value, as lines after the key.
    Same(String, Vec<String>),
    /// A changed leaf: the old and new rendered values.
    Changed(String, String, String),
    /// A changed element, shown as its own nested diff.
    Nested(Vec<String>),
}

impl Record {
    fn differs(&self) -> bool {
        !matches!(self, Record::Same(..))
    }
}

fn indent(marker: &str, depth: usize) -> String {
    format!("{marker}{}", "\t".repeat(depth))
}

/// `formatDiffList`: the records at `depth`, equal runs cut to their context.
fn list(records: Vec<Record>, noun: &str, depth: usize) -> Vec<String> {
    // group consecutive records by whether they differ
    let mut groups: Vec<Vec<Record>> = Vec::new();
    for r in records {
        match groups.last_mut() {
            Some(g) if g[0].differs() == r.differs() => g.push(r),
            _ => groups.push(vec![r]),
        }
    }
    let last = groups.len().saturating_sub(1);
    let mut shown: Vec<Option<Record>> = Vec::new(); // None: an ellipsis
    let mut elided = Vec::new();
    for (i, group) in groups.into_iter().enumerate() {
        if group[0].differs() {
            shown.extend(group.into_iter().map(Some));
            continue;
        }
        let equal = group.len();
        let (mut lo, mut hi) = (0, 0);
        while lo < CONTEXT && lo + hi < equal && i != 0 {
            lo += 1;
        }
        while hi < CONTEXT && lo + hi < equal && i != last {
            hi += 1;
        }
        if equal - (lo + hi) == 1 {
            hi += 1;
        }
        for (j, r) in group.into_iter().enumerate() {
            if j < lo || j >= equal - hi {
                shown.push(Some(r));
            } else if j == lo {
                elided.push(equal - (lo + hi));
                shown.push(None);
            }
        }
    }
    // keys are padded so that values line up, within runs of keyed one-line records
    let mut lines = Vec::new();
    let mut elided = elided.into_iter();
    let width = |run: &[Option<Record>]| {
        run.iter()
            .filter_map(|r| match r {
                Some(Record::Same(k, _) | Record::Changed(k, ..)) => Some(k.len()),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    };
    let runs = shown.split(|r| !matches!(r, Some(Record::Same(..) | Record::Changed(..))));
    let widths: Vec<usize> = runs.map(width).collect();
    let mut run = 0;
    let key = |k: &str, w: usize| {
        if k.is_empty() {
            String::new()
        } else {
            format!("{k}: {}", " ".repeat(w - k.len()))
        }
    };
    for r in shown {
        let w = widths.get(run).copied().unwrap_or(0);
        match r {
            Some(Record::Same(k, value)) => {
                let mut value = value.into_iter();
                let first = value.next().unwrap_or_default();
                lines.push(format!("{}{}{first}", indent("  ", depth), key(&k, w)));
                lines.extend(value);
                if let Some(l) = lines.last_mut() {
                    l.push(',');
                }
            }
            Some(Record::Changed(k, old, new)) => {
                lines.push(format!("{}{}{old},", indent("- ", depth), key(&k, w)));
                lines.push(format!("{}{}{new},", indent("+ ", depth), key(&k, w)));
            }
            Some(Record::Nested(nested)) => {
                run += 1;
                lines.extend(nested);
                if let Some(l) = lines.last_mut() {
                    l.push(',');
                }
            }
            None => {
                run += 1;
                let n = elided.next().unwrap_or(0);
                let plural = if n == 1 { "" } else { "s" };
                lines.push(format!(
                    "{}... // {n} identical {noun}{plural}",
                    indent("  ", depth)
                ));
            }
        }
    }
    lines
}

/// An equal condition as go-cmp prints a value: `{`, its non-zero fields, `}`.
fn whole(c: &Value, depth: usize) -> Vec<String> {
    let present: Vec<&(&str, &str, bool)> = FIELDS
        .iter()
        .filter(|(_, json, _)| !field(c, json).is_empty())
        .collect();
    let width = present.iter().map(|(go, ..)| go.len()).max().unwrap_or(0);
    let mut lines = vec![format!("{{")];
    for (go, json, time) in present {
        lines.push(format!(
            "{}{go}: {}{},",
            indent("  ", depth + 1),
            " ".repeat(width - go.len()),
            rendered(c, json, *time)
        ));
    }
    lines.push(format!("{}}}", indent("  ", depth)));
    lines
}

/// A changed condition: `{`, its fields diffed, `}`.
fn changed(old: &Value, new: &Value, depth: usize) -> Vec<String> {
    let records = FIELDS
        .iter()
        .map(|(go, json, time)| {
            let (o, n) = (rendered(old, json, *time), rendered(new, json, *time));
            if o == n {
                Record::Same((*go).to_owned(), vec![o])
            } else {
                Record::Changed((*go).to_owned(), o, n)
            }
        })
        .collect();
    let mut lines = vec![format!("{}{{", indent("  ", depth))];
    lines.extend(list(records, "field", depth + 1));
    lines.push(format!("{}}}", indent("  ", depth)));
    lines
}

/// `cmp.Diff(old, new)` of two equally long condition lists (with its trailing newline).
pub(crate) fn conditions(old: &[&Value], new: &[&Value]) -> String {
    let records = old
        .iter()
        .zip(new)
        .map(|(o, n)| {
            if o == n {
                Record::Same(String::new(), whole(o, 1))
            } else {
                Record::Nested(changed(o, n, 1))
            }
        })
        .collect();
    let mut lines = vec!["  []certificates.CertificateSigningRequestCondition{".to_owned()];
    lines.extend(list(records, "element", 1));
    lines.push("  }".to_owned());
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A changed reason: every field shown (two of context before, three after: go-cmp
    /// shows a lone third rather than eliding it), keys aligned.
    #[test]
    fn one_changed_field() {
        let old = json!({"type": "Approved", "status": "True", "reason": "A",
            "lastUpdateTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"});
        let mut new = old.clone();
        new["reason"] = json!("B");
        let expected = "  []certificates.CertificateSigningRequestCondition{\n  \t{\n  \t\tType:               \"Approved\",\n  \t\tStatus:             \"True\",\n- \t\tReason:             \"A\",\n+ \t\tReason:             \"B\",\n  \t\tMessage:            \"\",\n  \t\tLastUpdateTime:     s\"2026-01-01 00:00:00 +0000 UTC\",\n  \t\tLastTransitionTime: s\"2026-01-01 00:00:00 +0000 UTC\",\n  \t},\n  }\n";
        assert_eq!(conditions(&[&old], &[&new]), expected);
    }

    /// A changed type: the four equal fields after it are cut to two and an ellipsis.
    #[test]
    fn context_is_cut() {
        let old = json!({"type": "Approved", "status": "True", "reason": "A"});
        let new = json!({"type": "Denied", "status": "True", "reason": "A"});
        let expected = "  []certificates.CertificateSigningRequestCondition{\n  \t{\n- \t\tType:   \"Approved\",\n+ \t\tType:   \"Denied\",\n  \t\tStatus: \"True\",\n  \t\tReason: \"A\",\n  \t\t... // 3 identical fields\n  \t},\n  }\n";
        assert_eq!(conditions(&[&old], &[&new]), expected);
    }
}
