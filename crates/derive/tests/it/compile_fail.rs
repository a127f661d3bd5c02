//! The derive's compile errors: each `ui/*.rs` must fail with the message (and the span, on
//! the attribute key or value at fault) in its `.stderr` file.

#[test]
fn attributes_that_make_no_sense() {
    trybuild::TestCases::new().compile_fail("tests/it/ui/*.rs");
}
