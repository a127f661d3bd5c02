//! kubeset-testserver (work in progress).

// Admission, validation and selectors are pure building blocks the server calls; until the
// server (another branch) is merged, nothing outside the tests uses them yet.
#[allow(
    dead_code,
    unused_imports,
    reason = "called by the server, which is merged from another branch"
)]
mod admission;
#[allow(
    dead_code,
    unused_imports,
    reason = "called by the server, which is merged from another branch"
)]
mod selector;
#[allow(
    dead_code,
    unused_imports,
    reason = "called by the server, which is merged from another branch"
)]
mod validation;
