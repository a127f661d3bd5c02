//! Integration tests of kubeset-testserver (one test binary).

mod api;
mod auth;
mod controllers;
mod faults;
mod list;
mod replay;
mod support;
