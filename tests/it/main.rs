//! End-to-end tests across the kubeset crates.

mod facade;
mod kubeconfig;
