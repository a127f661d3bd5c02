//! What every layer that answers HTTP requests shares: the response [`body::Body`] type and
//! the API errors as `Status` objects ([`status::ApiError`]). Below `api`, `audit`, `logs`
//! and `server`, so none of them needs `api` for these.
//!
//! Architecture invariant: `answer` depends only on `registry` (for the resource names in
//! error messages).

/// The response body type.
pub(crate) mod body;
/// Errors as the real server's `Status` objects.
pub(crate) mod status;
