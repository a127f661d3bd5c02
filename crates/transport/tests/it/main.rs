//! Integration tests for kubeset-transport, against tiny servers on loopback.

// Test helpers are `pub` for readability; the binary exports nothing.
#![allow(unreachable_pub)]

mod auth;
mod exec;
mod http;
mod proxy;
mod retry;
mod support;
mod tls;
