//! Tests of the RBAC module: unit tests per rule feature and replays of the RBAC-relevant
//! steps of the recorded kube-apiserver transcripts.

mod support;

mod aggregation;
mod attributes;
mod bootstrap;
mod decisions;
mod escalation;
mod impersonation;
mod reviews;
mod seam;
mod subjects;
mod transcripts;
mod wire;
