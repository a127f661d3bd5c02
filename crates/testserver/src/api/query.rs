//! Query parameters: list/watch options, write options, with the real parse errors.

use crate::api::status::{ApiError, Cause};

/// Decoded query string (first value of each key wins, as in Go's `url.Values.Get`).
#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a raw query string.
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        Query {
            pairs: raw
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
        }
    }

    /// The first value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// All values of `key`.
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean parameter, parsed like Go's `strconv.ParseBool`.
    pub(crate) fn bool(&self, key: &str) -> Result<bool, ApiError> {
        match self.get(key) {
            None | Some("") => Ok(false),
            Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
            Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
            Some(v) => Err(ApiError::bad_request(format!(
                "strconv.ParseBool: parsing \"{v}\": invalid syntax"
            ))),
        }
    }

    /// An integer parameter, parsed like Go's `strconv.ParseInt`.
    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                ApiError::bad_request(format!("strconv.ParseInt: parsing \"{v}\": invalid syntax"))
            }),
        }
    }
}

/// `resourceVersionMatch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RvMatch {
    /// Not given.
    Unset,
    /// `NotOlderThan`.
    NotOlderThan,
    /// `Exact`.
    Exact,
}

/// List and watch options.
#[derive(Debug)]
pub(crate) struct ListOptions {
    /// `labelSelector`.
    pub(crate) label_selector: String,
    /// `fieldSelector`.
    pub(crate) field_selector: String,
    /// `allowWatchBookmarks`.
    pub(crate) bookmarks: bool,
    /// `resourceVersion` (raw).
    pub(crate) resource_version: String,
    /// `resourceVersionMatch`.
    pub(crate) rv_match: RvMatch,
    /// `timeoutSeconds`.
    pub(crate) timeout_seconds: Option<i64>,
    /// `limit` (0 = none).
    pub(crate) limit: i64,
    /// `continue`.
    pub(crate) continue_token: String,
    /// `sendInitialEvents`.
    pub(crate) send_initial_events: Option<bool>,
}

impl ListOptions {
    /// Converts the query (a malformed value is the 400) and validates the options as
    /// `ValidateListOptions` does (the 422).
    pub(crate) fn parse(q: &Query, force_watch: bool) -> Result<Self, ApiError> {
        // converted in the fields' declaration order: the first malformed one answers
        let watch = force_watch || q.bool("watch")?;
        let bookmarks = q.bool("allowWatchBookmarks")?;
        let timeout_seconds = q.int("timeoutSeconds")?;
        let limit = q.int("limit")?.unwrap_or(0);
        let send_initial_events = match q.get("sendInitialEvents") {
            None => None,
            Some(_) => Some(q.bool("sendInitialEvents")?),
        };
        crate::validation::list_options(&crate::validation::ListOptions {
            watch,
            resource_version: q.get("resourceVersion"),
            resource_version_match: q.get("resourceVersionMatch"),
            send_initial_events,
            continue_token: q.get("continue"),
        })
        .map_err(|invalid| ApiError::from_status(422, invalid.status()))?;
        // validated: only the two values, or none
        let rv_match = match q.get("resourceVersionMatch").unwrap_or("") {
            "NotOlderThan" => RvMatch::NotOlderThan,
            "Exact" => RvMatch::Exact,
            _ => RvMatch::Unset,
        };
        Ok(ListOptions {
            label_selector: q.get("labelSelector").unwrap_or("").to_owned(),
            field_selector: q.get("fieldSelector").unwrap_or("").to_owned(),
            bookmarks,
            resource_version: q.get("resourceVersion").unwrap_or("").to_owned(),
            rv_match,
            timeout_seconds,
            limit,
            continue_token: q.get("continue").unwrap_or("").to_owned(),
            send_initial_events,
        })
    }

    /// The resourceVersion as a number (`None` when unset); the real server's 500 when not a number.
    pub(crate) fn revision(&self) -> Result<Option<u64>, ApiError> {
        parse_rv(&self.resource_version)
    }
}

/// Parses a resourceVersion the way the storage layer does.
pub(crate) fn parse_rv(rv: &str) -> Result<Option<u64>, ApiError> {
    if rv.is_empty() {
        return Ok(None);
    }
    rv.parse().map(Some).map_err(|_| {
        ApiError::internal(format!(
            "resourceVersion: Invalid value: \"{rv}\": strconv.ParseUint: parsing \"{rv}\": invalid syntax"
        ))
    })
}

/// `dryRun`: only `All` is valid.
pub(crate) fn dry_run(q: &Query, kind: &str) -> Result<bool, ApiError> {
    let values = q.all("dryRun");
    for v in &values {
        if *v != "All" {
            return Err(ApiError::invalid_options(
                kind,
                vec![Cause::new(
                    "FieldValueNotSupported",
                    "dryRun",
                    format!("Unsupported value: []string{{\"{v}\"}}: supported values: \"All\""),
                )],
            ));
        }
    }
    Ok(!values.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(raw: &str, expected: &str) {
        let got = match ListOptions::parse(&Query::parse(Some(raw)), false) {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("{} {}", e.code, e.message),
        };
        assert_eq!(got, expected);
    }

    #[test]
    fn list_options() {
        check("limit=3&labelSelector=a%3Db", "ok");
        check(
            "limit=abc",
            "400 strconv.ParseInt: parsing \"abc\": invalid syntax",
        );
        check(
            "resourceVersionMatch=Exact",
            "422 ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
        );
        check(
            "watch=1&sendInitialEvents=true&allowWatchBookmarks=true",
            "422 ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
        );
        check(
            "sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
            "422 ListOptions.meta.k8s.io \"\" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list]",
        );
        check(
            "watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
            "ok",
        );
        // validateWatchOptions: any sendInitialEvents needs NotOlderThan, and a match needs
        // sendInitialEvents
        check(
            "watch=1&sendInitialEvents=false",
            "422 ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
        );
        check(
            "watch=1&resourceVersionMatch=Exact",
            "422 ListOptions.meta.k8s.io \"\" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided, resourceVersionMatch: Unsupported value: \"Exact\": supported values: \"NotOlderThan\"]",
        );
        // every list check, not the first one
        check(
            "resourceVersionMatch=Other&continue=abc",
            "422 ListOptions.meta.k8s.io \"\" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided, resourceVersionMatch: Unsupported value: \"Other\": supported values: \"Exact\", \"NotOlderThan\", \"\"]",
        );
    }
}
