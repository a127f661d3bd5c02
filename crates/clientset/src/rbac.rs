//! RBAC self-checks: who am I, may I, what may I.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use http::Method;
use k8s_openapi::api::authentication::v1::UserInfo;
use k8s_openapi::api::authorization::v1::SubjectRulesReviewStatus;
use serde::Deserialize;
use serde_json::json;

use crate::client::{JSON, build, encode};
use crate::forbidden::Caller;
use crate::{Client, Error, Permission};

/// The answer of an access check.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessDecision {
    /// Whether the request would be allowed.
    #[serde(default)]
    pub allowed: bool,
    /// Whether an authorizer explicitly denied it (not merely "no opinion").
    #[serde(default)]
    pub denied: bool,
    /// Why, when the authorizer said.
    #[serde(default)]
    pub reason: Option<String>,
    /// An error the authorizer hit (the decision may be incomplete).
    #[serde(default)]
    pub evaluation_error: Option<String>,
}

#[derive(Deserialize)]
struct Review<S> {
    status: Option<S>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WhoAmIStatus {
    user_info: Option<UserInfo>,
}

/// A pending `can_i` question; add options, then `.await` it.
///
/// ```no_run
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
/// let may = client.can_i("patch", "persistentvolumes").subresource("status").await?;
/// let may = client
///     .can_i("create", "leases")
///     .group("coordination.k8s.io")
///     .namespace("kube-system")
///     .await?;
/// println!("allowed: {}", may.allowed);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "an access check does nothing until awaited"]
pub struct CanI {
    client: Client,
    permission: Permission,
}

impl CanI {
    /// The API group (`""`, the core group, by default).
    pub fn group(mut self, group: &str) -> Self {
        self.permission.group = group.to_owned();
        self
    }
    /// The namespace (cluster-wide by default).
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.permission.namespace = Some(namespace.to_owned());
        self
    }
    /// One object by name.
    pub fn name(mut self, name: &str) -> Self {
        self.permission.name = Some(name.to_owned());
        self
    }
    /// A subresource (`status`, `log`, `binding`, `eviction`, `token`).
    pub fn subresource(mut self, subresource: &str) -> Self {
        self.permission.subresource = Some(subresource.to_owned());
        self
    }
}

impl IntoFuture for CanI {
    type Output = Result<AccessDecision, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.client.check(&self.permission).await })
    }
}

impl Client {
    /// Who the server says this client is (a `SelfSubjectReview`, as `kubectl auth whoami`).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let me = client.whoami().await?;
    /// println!("{:?} in {:?}", me.username, me.groups);
    /// # Ok(()) }
    /// ```
    pub async fn whoami(&self) -> Result<UserInfo, Error> {
        let body = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"});
        let review: Review<WhoAmIStatus> = self
            .post_json("/apis/authentication.k8s.io/v1/selfsubjectreviews", &body)
            .await?;
        Ok(review
            .status
            .unwrap_or_default()
            .user_info
            .unwrap_or_default())
    }

    /// Asks whether this client may `verb` `resource` (a `SelfSubjectAccessReview`, as
    /// `kubectl auth can-i`). See [`CanI`] for the options.
    pub fn can_i(&self, verb: &str, resource: &str) -> CanI {
        CanI {
            client: self.clone(),
            permission: Permission::new(verb, resource),
        }
    }

    /// Asks whether this client may `verb` a non-resource URL such as `/healthz` or `/metrics`
    /// (a `SelfSubjectAccessReview` with `nonResourceAttributes`, as
    /// `kubectl auth can-i get /metrics`).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// if !client.can_i_url("get", "/metrics").await?.allowed {
    ///     eprintln!("metrics scraping is not allowed");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn can_i_url(&self, verb: &str, path: &str) -> Result<AccessDecision, Error> {
        let body = json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"nonResourceAttributes": {"path": path, "verb": verb}},
        });
        self.access_review(&body).await
    }

    /// Checks one permission.
    pub async fn check(&self, permission: &Permission) -> Result<AccessDecision, Error> {
        let mut attributes = serde_json::Map::new();
        attributes.insert("verb".into(), json!(permission.verb));
        attributes.insert("group".into(), json!(permission.group));
        attributes.insert("resource".into(), json!(permission.resource));
        for (key, value) in [
            ("subresource", &permission.subresource),
            ("namespace", &permission.namespace),
            ("name", &permission.name),
        ] {
            if let Some(value) = value {
                attributes.insert(key.into(), json!(value));
            }
        }
        let body = json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attributes},
        });
        self.access_review(&body).await
    }

    /// Posts a `SelfSubjectAccessReview` and returns its decision.
    async fn access_review(&self, body: &serde_json::Value) -> Result<AccessDecision, Error> {
        let review: Review<AccessDecision> = self
            .post_json(
                "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                body,
            )
            .await?;
        Ok(review.status.unwrap_or_default())
    }

    /// Checks every permission a program needs (concurrently) and returns the missing ones;
    /// print them with their `rule_yaml()` at start-up.
    ///
    /// ```no_run
    /// use kubeset_clientset::Permission;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let needed = [
    ///     Permission::new("list", "nodes"),
    ///     Permission::new("create", "persistentvolumes"),
    ///     Permission::new("patch", "persistentvolumes").subresource("status"),
    /// ];
    /// for missing in client.missing_permissions(&needed).await? {
    ///     eprintln!("missing: {missing}\n{}", missing.rule_yaml());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn missing_permissions(
        &self,
        needed: &[Permission],
    ) -> Result<Vec<Permission>, Error> {
        let decisions =
            futures_util::future::try_join_all(needed.iter().map(|p| self.check(p))).await?;
        Ok(needed
            .iter()
            .zip(decisions)
            .filter(|(_, d)| !d.allowed)
            .map(|(p, _)| p.clone())
            .collect())
    }

    /// What this client may do in `namespace` (a `SelfSubjectRulesReview`, as
    /// `kubectl auth can-i --list`).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let rules = client.rules("apps").await?;
    /// for rule in &rules.resource_rules {
    ///     println!("{:?} {:?}", rule.verbs, rule.resources);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn rules(&self, namespace: &str) -> Result<SubjectRulesReviewStatus, Error> {
        let body = json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectRulesReview",
            "spec": {"namespace": namespace},
        });
        let review: Review<SubjectRulesReviewStatus> = self
            .post_json(
                "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                &body,
            )
            .await?;
        Ok(review.status.unwrap_or_default())
    }

    /// Adds the caller's full identity (user and groups, from one `whoami`) to a 403 error;
    /// other errors pass through. The lookup's own failure is ignored: the error stays as it was.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// if let Err(err) = client.nodes().list(&Default::default()).await {
    ///     let err = client.explain_forbidden(err).await;
    ///     eprintln!("{err}");
    /// }
    /// # }
    /// ```
    pub async fn explain_forbidden(&self, mut error: Error) -> Error {
        let Error::Api { error: api } = &mut error else {
            return error;
        };
        let Some(denial) = api.denial.as_mut() else {
            return error;
        };
        if let Ok(me) = self.whoami().await {
            denial.caller = Some(Caller::from(me));
        }
        error
    }

    async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T, Error> {
        let request = build(
            Method::POST,
            path.to_owned(),
            JSON,
            Some((encode(body)?, JSON)),
        )?;
        self.request_json(request).await
    }
}
