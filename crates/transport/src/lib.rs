//! tower layers that carry requests to a Kubernetes API server.
//!
//! The contract with the clientset: the whole layer stack is erased into one [`BoxService`] that
//! takes requests with a fully buffered [`RequestBody`] (cheap to clone, so requests can be
//! retried) and answers with a streaming [`ResponseBody`].

mod body;

pub use body::{BoxError, BoxService, RequestBody, ResponseBody};
