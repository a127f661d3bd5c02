//! End-to-end tests across the kubeset crates.
//!
//! They run against one in-process test server shared by the binary, or against the cluster
//! of the kubeconfig named by `KUBESET_TEST_KUBECONFIG` (see `support`). Each test works in a
//! namespace of its own.

// Helpers outside #[test] functions unwrap too: in a test, a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

mod admission_config;
mod admission_policies;
mod audit;
mod auth;
mod autoscaling;
mod bootstrap_objects;
mod certificates;
mod client_builder;
mod controller_example;
mod core_validation;
mod crd_cel;
mod crud;
mod dra;
mod events;
mod examples;
mod exec;
mod facade;
mod get_raw;
mod handles;
mod incluster;
mod indexes;
mod kctl;
mod kubeconfig;
mod limit_ranges;
mod list;
mod logs;
mod managed_fields_types;
mod operator;
mod patch;
mod pod_containers;
mod pod_more;
mod pod_security;
mod pod_validation;
mod pods;
mod protobuf;
mod provisioner;
mod resource_quota;
mod runtime;
mod scale;
mod scheduler;
mod secrets;
mod status;
mod tables;
mod validation;
mod validation_infra;
mod warnings;
mod watch;
mod webhooks;
mod wiring;
