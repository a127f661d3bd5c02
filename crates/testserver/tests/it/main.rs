//! Integration tests of kubeset-testserver (one test binary).

#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

mod admission_policies;
mod api;
mod audit;
mod auth;
mod controllers;
mod crd;
mod csr;
mod discovery;
mod disruptions;
mod faults;
mod field_validation;
mod flow_control;
mod gc;
mod kubectl;
mod list;
mod pod_subresources;
mod pv_binder;
mod rbac;
mod replay;
mod support;
mod type_errors;
mod warnings;
