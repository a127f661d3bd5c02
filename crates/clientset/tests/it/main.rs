//! Integration tests of the clientset against canned answers on 127.0.0.1.

// Test helpers outside #[test] functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

mod builder;
mod dynamic;
mod errors;
mod hostile;
mod list;
mod mock;
mod rbac;
mod remote;
mod send;
mod special;
mod support;
mod verbs;
mod watch;
