//! The deprecation `Warning` of a deprecated resource version (`installer.go` wraps such a
//! resource's handlers in `AddWarningsHandler`): added to every answer of a request that
//! reached the resource's handler, before any warning the handler adds.

use http::Response;

use crate::api::respond::{self, Body};
use crate::api::status::ApiError;
use crate::registry::ResourceType;

/// `answer` (or the error's response) with `rt`'s deprecation warning first, when it has one.
pub(crate) fn with_deprecation(
    rt: &ResourceType,
    answer: Result<Response<Body>, ApiError>,
) -> Result<Response<Body>, ApiError> {
    // an empty `deprecationWarning` is no warning (the recorder drops empty texts)
    let Some(text) = rt.strategy.deprecation().filter(|t| !t.is_empty()) else {
        return answer;
    };
    let mut response = answer.unwrap_or_else(|e| respond::error(&e));
    let later: Vec<_> = response
        .headers()
        .get_all(http::header::WARNING)
        .iter()
        .cloned()
        .collect();
    response.headers_mut().remove(http::header::WARNING);
    crate::api::respond::add_warnings(&mut response, &[text.to_owned()]);
    for value in later {
        response.headers_mut().append(http::header::WARNING, value);
    }
    Ok(response)
}
