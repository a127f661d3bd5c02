//! The one rule environment: the CEL standard library, cel-go's strings and lists extensions
//! and Kubernetes' libraries, as `k8s.io/apiserver/pkg/cel/environment/base.go` assembles them
//! for compatibility version 1.36; and the helpers the libraries write their overloads with.
//!
//! Library functions work on owned [`Value`]s (the test server's objects are small), and
//! report a bad argument as a [`ExecutionError::FunctionError`] whose message is cel-go's
//! text, which `go_error` prints alone.

use std::sync::{Arc, OnceLock};

use cel::common::value::CowVal;
use cel::objects::Value;
use cel::{DeclarationError, Env, ExecutionError, ParseErrors, Program};

/// The shared environment, built once.
pub(crate) fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(base()))
}

/// Compiles a rule (or message expression) in the rule environment, macros expanded.
pub(crate) fn compile(text: &str) -> Result<Program, ParseErrors> {
    env().compile(text)
}

/// A library: registers its types and overloads on an environment.
type Library = fn(&mut Env) -> Result<(), DeclarationError>;

/// A new environment with the standard library and every library of the rule environment,
/// for an environment that adds to it (admission's).
pub(crate) fn base() -> Env {
    let mut env = Env::stdlib();
    let libraries: [Library; 10] = [
        cel::extensions::strings,
        cel::extensions::lists,
        super::lists::library,
        super::regex::library,
        super::quantity::library,
        super::url::library,
        super::net::library,
        super::format::library,
        super::sets::library,
        super::semver::library,
    ];
    for library in libraries {
        // a library declaring an overload twice is a bug of this module, found by its tests
        if let Err(err) = env.add_extension(library) {
            tracing::error!(%err, "CEL library not registered");
        }
    }
    env
}

/// The arguments of an overload as owned values.
pub(crate) fn values(args: &[CowVal<'_, '_>]) -> Result<Vec<Value>, ExecutionError> {
    args.iter().map(|a| Value::try_from(a.as_ref())).collect()
}

/// A library function's result as an overload's.
pub(crate) fn owned<'b, 'v>(value: Value) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let val: Box<dyn cel::common::value::Val> = value.try_into()?;
    Ok(CowVal::Owned(val))
}

/// Declares an overload from a body over owned argument values: `overload!("name", |args|
/// -> Result<Value, String> { .. })`; an `Err` is cel-go's error text.
macro_rules! overload {
    ($name:literal, |$args:ident| $body:expr) => {{
        fn run<'b, 'v>(
            args: Vec<cel::common::value::CowVal<'b, 'v>>,
        ) -> Result<cel::common::value::CowVal<'b, 'v>, cel::ExecutionError> {
            fn body($args: Vec<cel::objects::Value>) -> Result<cel::objects::Value, String> {
                $body
            }
            let values = $crate::cel::env::values(&args)?;
            $crate::cel::env::owned(
                body(values).map_err(|m| cel::ExecutionError::function_error($name, m))?,
            )
        }
        run as cel::common::functions::Function
    }};
}
pub(crate) use overload;

#[cfg(test)]
mod tests {
    use super::super::testing::eval;

    /// cel-go's strings extension (`ext/strings.go`, version 2): the examples of its doc.
    #[test]
    fn strings_extension() {
        for (expr, want) in [
            ("'hello'.charAt(4)", "\"o\""),
            ("'hello mellow'.indexOf('ello', 2)", "7"),
            ("'hello mellow'.lastIndexOf('ello')", "7"),
            ("'TacoCat'.lowerAscii()", "\"tacocat\""),
            ("'TacoCat'.upperAscii()", "\"TACOCAT\""),
            ("'hello hello'.replace('he', 'we', 1)", "\"wello hello\""),
            ("'a,b,c'.split(',')", "[\"a\", \"b\", \"c\"]"),
            ("'tacocat'.substring(4)", "\"cat\""),
            ("'tacocat'.substring(0, 4)", "\"taco\""),
            ("'  \\ttrim\\n    '.trim()", "\"trim\""),
            ("['hello', 'mellow'].join(' ')", "\"hello mellow\""),
            (
                "strings.quote('single-quote with \"double quote\"')",
                "\"\\\"single-quote with \\\\\\\"double quote\\\\\\\"\\\"\"",
            ),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
        assert_eq!(eval("'hello'.charAt(6)"), "error: index out of range: 6");
    }
}
