//! Entry points for the fuzz targets in `fuzz/` and their regression tests: not part of the
//! API, no stability promise.

/// Parses an exec plugin's standard output as the client does; `Ok` when it yields a
/// credential. The error never contains a byte of `stdout`.
pub fn exec_credential(stdout: &[u8], api_version: &str) -> Result<(), crate::ExecError> {
    crate::exec::parse_output(stdout, "fuzz-plugin", api_version).map(|_| ())
}

/// The `iat` and `exp` claims of a JWT, read without checking it; `None` when it is not one.
pub fn jwt_times(token: &str) -> Option<(Option<i64>, Option<i64>)> {
    crate::jwt::times(token).map(|t| (t.issued_at, t.expires_at))
}
