//! `auth whoami`, `auth can-i` and `create token`, printed as kubectl prints them.
//!
//! - `auth whoami`: an `ATTRIBUTE`/`VALUE` table (Username, UID, Groups as Go prints a slice,
//!   one `Extra: key` line per extra), or the `SelfSubjectReview` with `-o json|yaml` (JSON in
//!   the typed object's field order, as kubectl marshals typed objects; YAML sorted).
//! - `auth can-i VERB TYPE[/NAME] [NAME]` or `auth can-i VERB /url`: `yes` (exit 0) or `no`
//!   with the server's reason (exit 1); the type is resolved by discovery (a warning and the
//!   name as given when the server does not know it), and a cluster-scoped type checked in a
//!   namespace gets kubectl's warning.
//! - `create token SA`: the token on one line.

use clap::Args;
use http_body_util::BodyExt;
use kubeset::clientset::TokenParams;
use kubeset::transport::RequestBody;
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::session::Session;
use crate::{Output, duration, json as json_out, resources, tabwriter, yaml};

/// Flags of `auth can-i`.
#[derive(Debug, Args)]
pub(crate) struct CanIArgs {
    /// The verb (`get`, `list`, `create`, `*`, ...).
    pub(crate) verb: Option<String>,
    /// `TYPE`, `TYPE/NAME` or a non-resource URL (`/logs`).
    pub(crate) resource: Option<String>,
    /// The object name.
    pub(crate) name: Option<String>,
    /// The subresource (`log`, `status`, ...).
    #[arg(long)]
    pub(crate) subresource: Option<String>,
    /// Check in all namespaces.
    #[arg(short = 'A', long)]
    pub(crate) all_namespaces: bool,
    /// No output, only the exit status.
    #[arg(short = 'q', long)]
    pub(crate) quiet: bool,
}

/// Flags of `create token`.
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    /// The ServiceAccount.
    pub(crate) service_account: Option<String>,
    /// Requested lifetime (`1h`, `30m`); the server may shorten it.
    #[arg(long, value_name = "DURATION")]
    pub(crate) duration: Option<String>,
    /// Intended audiences (repeatable); the API server's by default.
    #[arg(long, value_name = "AUDIENCE")]
    pub(crate) audience: Vec<String>,
}

/// `auth whoami`.
pub(crate) async fn whoami(session: &Session, output: Output) -> Result<(), Failure> {
    let path = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    let body = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview", "metadata": {}});
    let request = http::Request::post(path)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ACCEPT, "application/json")
        .body(RequestBody::new(body.to_string().into()))
        .map_err(|e| Failure::error(format!("invalid request {path}: {e}")))?;
    let review: Value = match session.client.send(request).await {
        Ok(response) => {
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| Failure::error(format!("reading {path}: {e}")))?
                .to_bytes();
            serde_json::from_slice(&bytes)
                .map_err(|e| Failure::error(format!("decoding the answer of {path}: {e}")))?
        }
        Err(e) if e.is_forbidden() => {
            return Err(Failure::error(
                "the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it",
            ));
        }
        Err(e) if e.is_not_found() => {
            return Err(Failure::error(
                "the selfsubjectreviews API is not enabled in the cluster\nenable APISelfSubjectReview feature gate and authentication.k8s.io/v1alpha1 or authentication.k8s.io/v1beta1 API",
            ));
        }
        Err(e) => return Err(session.fail(&e)),
    };
    let user = &review["status"]["userInfo"];
    match output {
        Output::Json => print!("{}", typed_review_json(&review)),
        Output::Yaml => print!("{}", yaml::to_string(&typed_review(&review))),
        _ => {
            let mut text = String::from("ATTRIBUTE\tVALUE\n");
            let field = |key: &str| user[key].as_str().unwrap_or_default().to_owned();
            if !field("username").is_empty() {
                text.push_str(&format!("Username\t{}\n", field("username")));
            }
            if !field("uid").is_empty() {
                text.push_str(&format!("UID\t{}\n", field("uid")));
            }
            if let Some(groups) = user["groups"].as_array().filter(|g| !g.is_empty()) {
                text.push_str(&format!("Groups\t{}\n", go_slice(groups)));
            }
            if let Some(extra) = user["extra"].as_object() {
                for (key, values) in extra {
                    let values = values.as_array().cloned().unwrap_or_default();
                    text.push_str(&format!("Extra: {key}\t{}\n", go_slice(&values)));
                }
            }
            print!("{}", tabwriter::align(&text));
        }
    }
    Ok(())
}

/// The review as kubectl's typed object holds it: kind, apiVersion, metadata (a zero
/// creation time marshals as null), status.
fn typed_review(review: &Value) -> Value {
    let mut metadata = review["metadata"].clone();
    if !metadata.is_object() {
        metadata = json!({});
    }
    if metadata.get("creationTimestamp").is_none() {
        metadata["creationTimestamp"] = Value::Null;
    }
    json!({
        "kind": "SelfSubjectReview",
        "apiVersion": review["apiVersion"].as_str().unwrap_or("authentication.k8s.io/v1"),
        "metadata": metadata,
        "status": review["status"].clone(),
    })
}

/// JSON in the Go struct's field order (kubectl marshals the typed object).
fn typed_review_json(review: &Value) -> String {
    let typed = typed_review(review);
    let user = &typed["status"]["userInfo"];
    let mut user_fields: Vec<(&str, Value)> = Vec::new();
    for key in ["username", "uid", "groups", "extra"] {
        if let Some(value) = user.get(key) {
            user_fields.push((key, value.clone()));
        }
    }
    let status = if user.is_object() {
        format!(
            "{{\n        \"userInfo\": {}\n    }}",
            ordered_object(&user_fields, 2)
        )
    } else {
        String::from("{}")
    };
    let metadata = indent(json_out::to_string(&typed["metadata"]).trim_end(), 1);
    format!(
        "{{\n    \"kind\": \"SelfSubjectReview\",\n    \"apiVersion\": {},\n    \"metadata\": {metadata},\n    \"status\": {status}\n}}\n",
        json_out::to_string(&typed["apiVersion"]).trim_end()
    )
}

/// An object with fields in the given order, nested `depth` levels deep.
fn ordered_object(fields: &[(&str, Value)], depth: usize) -> String {
    if fields.is_empty() {
        return String::from("{}");
    }
    let pad = "    ".repeat(depth + 1);
    let inner: Vec<String> = fields
        .iter()
        .map(|(k, v)| {
            let value = indent(json_out::to_string(v).trim_end(), depth + 1);
            format!("{pad}\"{k}\": {value}")
        })
        .collect();
    format!("{{\n{}\n{}}}", inner.join(",\n"), "    ".repeat(depth))
}

/// Indents every line but the first by `depth` levels.
fn indent(text: &str, depth: usize) -> String {
    text.replace('\n', &format!("\n{}", "    ".repeat(depth)))
}

/// A string slice as Go's `%v` prints it: `[a b c]`.
fn go_slice(values: &[Value]) -> String {
    let items: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    format!("[{}]", items.join(" "))
}

/// `auth can-i`; returns whether the answer was yes.
pub(crate) async fn can_i(session: &Session, args: &CanIArgs) -> Result<bool, Failure> {
    let (Some(verb), Some(resource_arg)) = (&args.verb, &args.resource) else {
        return Err(Failure::line(
            "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.",
        ));
    };
    let namespace = if args.all_namespaces {
        String::new()
    } else {
        session.namespace.clone()
    };
    let decision = if resource_arg.starts_with('/') {
        non_resource(session, verb, resource_arg).await?
    } else {
        let (kind, name) = match resource_arg.split_once('/') {
            Some((kind, name)) => (kind, Some(name.to_owned())),
            None => (resource_arg.as_str(), args.name.clone()),
        };
        let (resource, group, namespaced) = if kind == "*" {
            (String::from("*"), String::new(), true)
        } else {
            let discovery = session
                .discovery_knowing(|d| d.resolve_name(&kind.to_ascii_lowercase()).is_some())
                .await?;
            let mut warnings = Vec::new();
            match resources::resolve_one(discovery, kind, &mut warnings) {
                Ok(found) => (found.plural, found.group, found.namespaced),
                Err(_) => {
                    // kubectl's warning printer ends each of these with a blank line
                    eprintln!("Warning: the server doesn't have a resource type '{kind}'\n");
                    let (plural, group) = kind.split_once('.').unwrap_or((kind, ""));
                    (plural.to_owned(), group.to_owned(), true)
                }
            }
        };
        if !namespaced && !args.all_namespaces {
            if group.is_empty() {
                eprintln!("Warning: resource '{resource}' is not namespace scoped\n");
            } else {
                eprintln!(
                    "Warning: resource '{resource}' is not namespace scoped in group '{group}'\n"
                );
            }
        }
        let mut check = session.client.can_i(verb, &resource).group(&group);
        if !namespace.is_empty() {
            check = check.namespace(&namespace);
        }
        if let Some(name) = &name {
            check = check.name(name);
        }
        if let Some(sub) = &args.subresource {
            check = check.subresource(sub);
        }
        let decision = check.await.map_err(|e| session.fail(&e))?;
        (
            decision.allowed,
            decision.reason.unwrap_or_default(),
            decision.evaluation_error.unwrap_or_default(),
        )
    };
    let (allowed, reason, evaluation_error) = decision;
    if !args.quiet {
        if allowed {
            println!("yes");
        } else {
            let mut line = String::from("no");
            for extra in [reason, evaluation_error] {
                if !extra.is_empty() {
                    line.push_str(" - ");
                    line.push_str(&extra);
                }
            }
            println!("{line}");
        }
    }
    Ok(allowed)
}

/// A non-resource URL check (`can-i get /metrics`).
async fn non_resource(
    session: &Session,
    verb: &str,
    path: &str,
) -> Result<(bool, String, String), Failure> {
    let decision = session
        .client
        .can_i_url(verb, path)
        .await
        .map_err(|e| session.fail(&e))?;
    Ok((
        decision.allowed,
        decision.reason.unwrap_or_default(),
        decision.evaluation_error.unwrap_or_default(),
    ))
}

/// `create token SA`.
pub(crate) async fn create_token(session: &Session, args: &TokenArgs) -> Result<(), Failure> {
    let Some(service_account) = &args.service_account else {
        return Err(Failure::line(
            "error: exactly one NAME is required, got 0\nSee 'kubectl create token -h' for help and examples",
        ));
    };
    let mut tp = TokenParams::default();
    for audience in &args.audience {
        tp = tp.audience(audience);
    }
    if let Some(text) = &args.duration {
        let nanos = duration::parse(text).map_err(|e| {
            Failure::usage(
                "create token",
                format!("invalid argument \"{text}\" for \"--duration\" flag: {e}"),
            )
        })?;
        if nanos < 0 {
            return Err(Failure::error(
                "--duration must be greater than or equal to 0",
            ));
        }
        if nanos % 1_000_000_000 != 0 {
            return Err(Failure::error(
                "--duration cannot be expressed in units less than seconds",
            ));
        }
        if nanos > 0 {
            tp = tp.expiration_seconds(i64::try_from(nanos / 1_000_000_000).unwrap_or(i64::MAX));
        }
    }
    let issued = session
        .client
        .service_accounts(&session.namespace)
        .create_token(service_account, &tp)
        .await
        .map_err(|e| {
            crate::failure::Failure::wrapped("failed to create token", &e, &session.server)
        })?;
    println!("{}", issued.token.expose());
    Ok(())
}
