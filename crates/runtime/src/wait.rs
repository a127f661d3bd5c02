//! Waiting until one object meets a condition: [`await_condition`] (any type, any condition)
//! and [`crd_established`] (a CustomResourceDefinition ready to serve its kind).
//!
//! The guarantees:
//!
//! - **Watched, not polled:** one [`watcher`] on the object's name (a `metadata.name` field
//!   selector), so the condition is checked on every change as it happens, and a broken watch
//!   is resumed or re-listed by the watcher.
//! - **The current state counts:** the condition is first checked on the listed state, so an
//!   object that already meets it returns at once; an object that does not exist is
//!   `None` to the condition (so "it is gone" can be waited for too).
//! - **Errors that waiting cannot fix end the wait:** a 401, 403 or 404 answer is returned;
//!   other failures (connection lost, 5xx, 429) are retried by the watcher with backoff.
//! - **A CRD whose names were refused fails at once** ([`WaitError::Rejected`] with the API
//!   server's message) instead of running into the timeout: it would never become
//!   Established.

use std::time::Duration;

use futures_util::StreamExt;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kubeset_clientset::Api;
use kubeset_clientset::runtime::{Event, Object, WatcherConfig, watcher};
use serde::de::DeserializeOwned;

/// Why [`crd_established`] gave up.
///
/// ```
/// use std::time::Duration;
/// use kubeset_runtime::wait::WaitError;
///
/// let err = WaitError::Timeout { name: "websites.kubeset.example".into(), timeout: Duration::from_secs(5) };
/// assert_eq!(err.to_string(), "websites.kubeset.example was not established within 5s");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The CRD did not become Established in time (it may still).
    #[error("{name} was not established within {timeout:?}")]
    Timeout {
        /// The CRD's name.
        name: String,
        /// How long was waited.
        timeout: Duration,
    },
    /// The API server refused the CRD's names (`NamesAccepted` is `False`), so it will never
    /// be Established; typically another CRD already claims the plural or a short name.
    #[error("the names of {name} were not accepted ({reason}): {message}")]
    Rejected {
        /// The CRD's name.
        name: String,
        /// The condition's reason, e.g. `MultipleNamesNotAllowed`.
        reason: String,
        /// The API server's explanation.
        message: String,
    },
    /// The CRD was deleted while waiting (or never existed, when the wait timed out).
    #[error("{name} was deleted while waiting for it to be established")]
    Deleted {
        /// The CRD's name.
        name: String,
    },
    /// Watching failed in a way retrying cannot fix (unauthorized, forbidden, not found).
    #[error("failed to watch {name}")]
    Watch {
        /// The CRD's name.
        name: String,
        /// The API's answer.
        #[source]
        source: kubeset_clientset::Error,
    },
}

/// Waits until object `name` of `api` meets `condition`, and returns its state then
/// (`None`: the condition held for "no such object").
///
/// `condition` sees `None` while the object does not exist, and after it was deleted. There
/// is no timeout: wrap the call in [`tokio::time::timeout`] (the watch ends when the future is
/// dropped). An `Err` is an answer waiting cannot change (401, 403, 404: see the module docs).
///
/// ```no_run
/// use std::time::Duration;
/// use k8s_openapi::api::core::v1::Pod;
/// use kubeset_clientset::{Api, Client};
/// use kubeset_runtime::wait::await_condition;
///
/// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let pods: Api<Pod> = client.pods("apps");
/// let running = |pod: Option<&Pod>| {
///     pod.and_then(|p| p.status.as_ref()?.phase.as_deref()) == Some("Running")
/// };
/// let pod = tokio::time::timeout(Duration::from_secs(60), await_condition(pods, "web-0", running))
///     .await??;
/// println!("running on {:?}", pod.and_then(|p| p.spec?.node_name));
/// # Ok(())
/// # }
/// ```
pub async fn await_condition<K>(
    api: Api<K>,
    name: &str,
    condition: impl Fn(Option<&K>) -> bool,
) -> Result<Option<K>, kubeset_clientset::Error>
where
    K: Object + DeserializeOwned + Send + 'static,
{
    let config = WatcherConfig::default().fields(&format!("metadata.name={name}"));
    let mut events = std::pin::pin!(watcher(api, config));
    // The object as last seen; `listing` while a (re-)list bracket is open.
    let mut current: Option<K> = None;
    let mut listing = false;
    while let Some(event) = events.next().await {
        match event {
            Ok(Event::Init) => {
                listing = true;
                current = None;
            }
            Ok(Event::InitApply(object)) => current = Some(object),
            Ok(Event::InitDone) => listing = false,
            Ok(Event::Apply(object)) => current = Some(object),
            Ok(Event::Delete(_)) => current = None,
            Ok(_) => {}
            Err(err) if is_final(&err) => return Err(err),
            // the watcher retries with backoff
            Err(_) => continue,
        }
        if !listing && condition(current.as_ref()) {
            return Ok(current);
        }
    }
    // The watcher's stream never ends; this is for form's sake.
    Ok(current.filter(|object| condition(Some(object))))
}

fn is_final(err: &kubeset_clientset::Error) -> bool {
    err.is_unauthorized() || err.is_forbidden() || err.is_not_found()
}

/// Whether `crd` has the condition `type_` with status `True`.
///
/// ```
/// use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
/// use kubeset_runtime::wait::is_crd_established;
///
/// assert!(!is_crd_established(&CustomResourceDefinition::default()));
/// ```
pub fn is_crd_established(crd: &CustomResourceDefinition) -> bool {
    condition(crd, "Established").is_some_and(|c| c.status == "True")
}

fn condition<'a>(
    crd: &'a CustomResourceDefinition,
    type_: &str,
) -> Option<&'a k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinitionCondition>{
    crd.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
}

/// Waits until CustomResourceDefinition `name` is Established (its kind is served: instances
/// can be created, listed and watched), at most `timeout`; returns the CRD then.
///
/// Wait after creating a CRD and before using its kind: until then the API server answers
/// 404 for its URLs. A CRD whose names conflict with another's fails at once with
/// [`WaitError::Rejected`].
///
/// ```no_run
/// use std::time::Duration;
/// use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
/// use kubeset_clientset::{Api, Client, Patch, PatchParams};
/// use kubeset_runtime::wait::crd_established;
///
/// # async fn demo(client: Client, crd: CustomResourceDefinition) -> Result<(), Box<dyn std::error::Error>> {
/// let crds: Api<CustomResourceDefinition> = Api::cluster(client);
/// let name = crd.metadata.name.clone().unwrap_or_default();
/// let mut body = serde_json::to_value(&crd)?;
/// body["apiVersion"] = "apiextensions.k8s.io/v1".into();
/// body["kind"] = "CustomResourceDefinition".into();
/// crds.patch(&name, &PatchParams::apply("installer").force(), &Patch::Apply(body)).await?;
/// crd_established(&crds, &name, Duration::from_secs(30)).await?;
/// // now Api<MyKind> works
/// # Ok(())
/// # }
/// ```
pub async fn crd_established(
    api: &Api<CustomResourceDefinition>,
    name: &str,
    timeout: Duration,
) -> Result<CustomResourceDefinition, WaitError> {
    let done = |crd: Option<&CustomResourceDefinition>| {
        crd.is_none_or(|crd| {
            is_crd_established(crd)
                || condition(crd, "NamesAccepted").is_some_and(|c| c.status == "False")
        })
    };
    // `None` also meets `done` once the list said there is no such CRD: that is only an
    // answer after it existed, so the first `None` is waited past.
    let seen = std::sync::atomic::AtomicBool::new(false);
    let waited = await_condition(api.clone(), name, |crd| {
        if crd.is_some() {
            seen.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        (crd.is_some() || seen.load(std::sync::atomic::Ordering::Relaxed)) && done(crd)
    });
    let crd = match tokio::time::timeout(timeout, waited).await {
        Err(_elapsed) => {
            return Err(WaitError::Timeout {
                name: name.to_owned(),
                timeout,
            });
        }
        Ok(Err(source)) => {
            return Err(WaitError::Watch {
                name: name.to_owned(),
                source,
            });
        }
        Ok(Ok(crd)) => crd,
    };
    let Some(crd) = crd else {
        return Err(WaitError::Deleted {
            name: name.to_owned(),
        });
    };
    if is_crd_established(&crd) {
        return Ok(crd);
    }
    let refused = condition(&crd, "NamesAccepted");
    Err(WaitError::Rejected {
        name: name.to_owned(),
        reason: refused.and_then(|c| c.reason.clone()).unwrap_or_default(),
        message: refused.and_then(|c| c.message.clone()).unwrap_or_default(),
    })
}
