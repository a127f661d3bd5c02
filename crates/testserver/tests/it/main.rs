//! Integration tests of kubeset-testserver (one test binary).

mod auth;
mod controllers;
mod faults;
mod list;
mod replay;
mod support;
