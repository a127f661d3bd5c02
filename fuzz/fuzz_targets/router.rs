//! The test server's request router: method, path, query and headers to a route and its
//! options, or a proper error answer (4xx/5xx with a Status body, or plain text), never a
//! panic.
//!
//! Input: UTF-8 lines; the first is the method, the second the request target
//! (`path?query`), every further line a header `name: value`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let method = lines.next().unwrap_or("");
    let target = lines.next().unwrap_or("");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let headers: Vec<(&str, &str)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n, v.trim()))
        .collect();
    if let Err((code, body)) = kubeset_testserver::fuzzing::route(method, path, query, &headers) {
        assert!((400..600).contains(&code), "code {code}");
        if let Ok(status) = serde_json::from_str::<serde_json::Value>(&body) {
            assert_eq!(status["code"], code, "{body}");
        }
    }
});
