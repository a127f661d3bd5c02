//! The election against the test server, in real time.
