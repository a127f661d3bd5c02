//! The typed strings of a schema (`k8s.io/apiserver/pkg/cel/common/valuesunstructured.go`):
//! a `format: date-time` or `date` string is a CEL `timestamp` (a date at midnight UTC), a
//! `duration` one a `duration`, a `byte` one `bytes`; and cel-go's words for a string that
//! `timestamp()` or `duration()` cannot convert.
//!
//! The timestamps and durations are those of the `cel` crate (its `chrono` feature), made by
//! its own `timestamp()` and `duration()`.

use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use cel::objects::Value;
use cel::{Context, Program};

/// `text` as the CEL value its `format` makes it, `None` for a plain string (or one the
/// format does not parse: the schema validation refused it already).
pub(super) fn typed(format: &str, text: &str) -> Option<Value> {
    match format {
        "date-time" if crate::shared::format::is_valid("date-time", text) => {
            convert(&TIMESTAMP, "timestamp(s)", text)
        }
        "date" if crate::shared::format::is_valid("date", text) => {
            convert(&TIMESTAMP, "timestamp(s)", &format!("{text}T00:00:00Z"))
        }
        "duration" if crate::shared::format::is_valid("duration", text) => {
            convert(&DURATION, "duration(s)", text)
        }
        "byte" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()
            .map(|b| Value::Bytes(Arc::new(b))),
        _ => None,
    }
}

static TIMESTAMP: OnceLock<Option<Program>> = OnceLock::new();
static DURATION: OnceLock<Option<Program>> = OnceLock::new();

/// `text` converted by `expr` (of the variable `s`), compiled once.
fn convert(program: &OnceLock<Option<Program>>, expr: &str, text: &str) -> Option<Value> {
    let program = program
        .get_or_init(|| super::env::compile(expr).ok())
        .as_ref()?;
    let mut context = Context::with_env(super::env::env().clone());
    context.add_variable_from_value("s", text);
    program.execute(&context).ok()
}

/// cel-go's error for a string `function` (`timestamp` or `duration`) cannot convert.
pub(super) fn conversion_error(function: &str) -> Option<String> {
    let to = match function {
        "timestamp" => "google.protobuf.Timestamp",
        "duration" => "google.protobuf.Duration",
        _ => return None,
    };
    Some(format!("type conversion error from 'string' to '{to}'"))
}

#[cfg(test)]
mod tests {
    use super::super::testing::eval;
    use super::typed;

    /// cel-go's timestamps and durations (`common/types/timestamp.go`, `duration.go`).
    #[test]
    fn timestamps_and_durations() {
        for (expr, want) in [
            ("duration('1h') > duration('30m')", "true"),
            ("duration('1h30m').getMinutes()", "90"),
            ("timestamp('2024-02-03T04:05:06Z').getFullYear()", "2024"),
            (
                "timestamp('2024-02-03T04:05:06Z') + duration('1h') == \
              timestamp('2024-02-03T05:05:06Z')",
                "true",
            ),
            ("[duration('1m'), duration('1s')].isSorted()", "false"),
            (
                "[duration('1m'), duration('1s')].sum() == duration('1m1s')",
                "true",
            ),
            (
                "[timestamp('2024-01-01T00:00:00Z'), timestamp('2023-01-01T00:00:00Z')].min() \
              == timestamp('2023-01-01T00:00:00Z')",
                "true",
            ),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
        assert_eq!(
            eval("duration('x')"),
            "error: type conversion error from 'string' to 'google.protobuf.Duration'"
        );
        assert_eq!(
            eval("timestamp('2024')"),
            "error: type conversion error from 'string' to 'google.protobuf.Timestamp'"
        );
    }

    /// `valuesunstructured.go`: formatted strings are typed values.
    #[test]
    fn formatted_strings_are_typed() {
        assert!(matches!(
            typed("date-time", "2024-02-03T04:05:06Z"),
            Some(cel::Value::Timestamp(_))
        ));
        assert!(matches!(
            typed("date", "2024-02-03"),
            Some(cel::Value::Timestamp(_))
        ));
        assert!(matches!(
            typed("duration", "1h"),
            Some(cel::Value::Duration(_))
        ));
        assert_eq!(
            typed("byte", "aGk="),
            Some(cel::Value::Bytes(b"hi".to_vec().into()))
        );
        assert_eq!(typed("date-time", "yesterday"), None);
        assert_eq!(typed("email", "a@b.c"), None);
    }
}
