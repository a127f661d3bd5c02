//! The recorder against the test server.
