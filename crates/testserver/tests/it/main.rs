//! Integration tests of kubeset-testserver (one test binary).

#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

mod api;
mod auth;
mod controllers;
mod faults;
mod kubectl;
mod list;
mod rbac;
mod replay;
mod support;
