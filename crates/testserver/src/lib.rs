//! kubeset-testserver (work in progress).

pub mod fields;
