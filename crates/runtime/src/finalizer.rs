//! [`finalizer`]: run cleanup before an object goes away, with a finalizer of our own.
//!
//! The guarantees:
//!
//! - **No action without the finalizer:** [`Event::Apply`] runs only once the object carries
//!   our finalizer, so the object cannot disappear without [`Event::Cleanup`] running.
//! - **Cleanup before removal:** when the object is being deleted, the finalizer is removed
//!   only after [`Event::Cleanup`] succeeded; a failed cleanup keeps it (and the object),
//!   to be retried.
//! - **No lost concurrent change:** every write is a JSON patch whose `test` op checks the
//!   finalizers list it read (or, when the list is empty, the resourceVersion), so a
//!   finalizer another controller adds or removes meanwhile makes the patch fail instead of
//!   being overwritten; the helper then reads the object again and retries (a few times).
//! - Nothing is done for an object being deleted that does not carry our finalizer.

use std::future::Future;
use std::sync::Arc;

use k8s_openapi::Metadata;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubeset_clientset::{Api, Patch, PatchParams};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::controller::{Action, ObjectRef};

/// How often a finalizer patch is tried before the error is returned.
const ATTEMPTS: usize = 5;

/// What the reconcile inside [`finalizer`] is asked to do.
///
/// ```
/// use std::sync::Arc;
/// use k8s_openapi::api::core::v1::Secret;
/// use kubeset_runtime::finalizer::Event;
///
/// let event = Event::Apply(Arc::new(Secret::default()));
/// assert!(matches!(event, Event::Apply(_)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event<K> {
    /// The object exists and carries our finalizer: make the world match it.
    Apply(Arc<K>),
    /// The object is being deleted: release what it holds (the finalizer goes once this
    /// succeeds). May run more than once; make it idempotent.
    Cleanup(Arc<K>),
}

/// What [`finalizer`] can fail with.
///
/// ```
/// use kubeset_runtime::controller::ObjectRef;
/// use kubeset_runtime::finalizer::Error;
///
/// let err: Error<std::io::Error> = Error::Unnamed;
/// assert_eq!(err.to_string(), "the object has no name");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E: std::error::Error + 'static> {
    /// [`Event::Apply`] failed.
    #[error("failed to apply {object}")]
    Apply {
        /// The object.
        object: ObjectRef,
        /// The reconcile's error.
        #[source]
        source: E,
    },
    /// [`Event::Cleanup`] failed; the finalizer stays.
    #[error("failed to clean up {object}")]
    Cleanup {
        /// The object.
        object: ObjectRef,
        /// The reconcile's error.
        #[source]
        source: E,
    },
    /// Adding the finalizer failed.
    #[error("failed to add finalizer {finalizer} to {object}")]
    AddFinalizer {
        /// The object.
        object: ObjectRef,
        /// The finalizer.
        finalizer: String,
        /// The API error.
        #[source]
        source: kubeset_clientset::Error,
    },
    /// Removing the finalizer failed (the cleanup had succeeded).
    #[error("failed to remove finalizer {finalizer} from {object}")]
    RemoveFinalizer {
        /// The object.
        object: ObjectRef,
        /// The finalizer.
        finalizer: String,
        /// The API error.
        #[source]
        source: kubeset_clientset::Error,
    },
    /// The object has no name, so it cannot be patched.
    #[error("the object has no name")]
    Unnamed,
}

/// Runs `reconcile` for `object` behind the finalizer `name` (kube-runtime's `finalizer`).
///
/// - Not being deleted, without our finalizer: adds it, then runs [`Event::Apply`] with the
///   patched object.
/// - Not being deleted, with it: runs [`Event::Apply`].
/// - Being deleted, with it: runs [`Event::Cleanup`]; when that succeeds, removes the
///   finalizer and returns the cleanup's action.
/// - Being deleted, without it: nothing to do ([`Action::await_change`]).
///
/// `api` must address the object: namespaced in its namespace for a namespaced kind (an
/// all-namespaces handle cannot patch). See the [module docs](self) for the guarantees.
///
/// ```no_run
/// use std::sync::Arc;
/// use k8s_openapi::api::core::v1::Secret;
/// use kubeset_clientset::Api;
/// use kubeset_runtime::controller::Action;
/// use kubeset_runtime::finalizer::{self, Event};
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("the backend failed")]
/// struct BackendError;
///
/// async fn reconcile(secret: Arc<Secret>, client: Arc<kubeset_clientset::Client>)
///     -> Result<Action, finalizer::Error<BackendError>>
/// {
///     let ns = secret.metadata.namespace.as_deref().unwrap_or("default");
///     let api: Api<Secret> = Api::namespaced((*client).clone(), ns);
///     finalizer::finalizer(&api, "example.com/backend", secret, |event| async move {
///         match event {
///             Event::Apply(secret) => { /* copy it to the backend */ let _ = secret; }
///             Event::Cleanup(secret) => { /* delete it from the backend */ let _ = secret; }
///             _ => {}
///         }
///         Ok::<_, BackendError>(Action::await_change())
///     })
///     .await
/// }
/// ```
pub async fn finalizer<K, F, Fut, E>(
    api: &Api<K>,
    name: &str,
    object: Arc<K>,
    reconcile: F,
) -> Result<Action, Error<E>>
where
    K: Metadata<Ty = ObjectMeta> + DeserializeOwned + Send + 'static,
    F: FnOnce(Event<K>) -> Fut,
    Fut: Future<Output = Result<Action, E>>,
    E: std::error::Error + 'static,
{
    let object_ref = ObjectRef::from_object(&*object).ok_or(Error::Unnamed)?;
    let meta = object.metadata();
    let ours = has(meta, name);
    match (meta.deletion_timestamp.is_some(), ours) {
        (false, true) => reconcile(Event::Apply(object))
            .await
            .map_err(|source| Error::Apply {
                object: object_ref,
                source,
            }),
        (false, false) => match add(api, name, &object_ref, object).await? {
            Some(object) if object.metadata().deletion_timestamp.is_none() => {
                reconcile(Event::Apply(object))
                    .await
                    .map_err(|source| Error::Apply {
                        object: object_ref,
                        source,
                    })
            }
            // gone, or deleted before the finalizer could go on: nothing to do
            _ => Ok(Action::await_change()),
        },
        (true, true) => {
            let action = reconcile(Event::Cleanup(Arc::clone(&object)))
                .await
                .map_err(|source| Error::Cleanup {
                    object: object_ref.clone(),
                    source,
                })?;
            remove(api, name, &object_ref, object).await?;
            Ok(action)
        }
        (true, false) => Ok(Action::await_change()),
    }
}

fn has(meta: &ObjectMeta, name: &str) -> bool {
    meta.finalizers.iter().flatten().any(|f| f == name)
}

/// Adds the finalizer; the object carrying it, or `None` when the object is gone or being
/// deleted (no finalizer can be added then).
async fn add<K, E>(
    api: &Api<K>,
    name: &str,
    object_ref: &ObjectRef,
    mut object: Arc<K>,
) -> Result<Option<Arc<K>>, Error<E>>
where
    K: Metadata<Ty = ObjectMeta> + DeserializeOwned + Send + 'static,
    E: std::error::Error + 'static,
{
    let failed = |source| Error::AddFinalizer {
        object: object_ref.clone(),
        finalizer: name.to_owned(),
        source,
    };
    let mut attempt = 0;
    loop {
        let meta = object.metadata();
        if has(meta, name) {
            return Ok(Some(object));
        }
        if meta.deletion_timestamp.is_some() {
            return Ok(None);
        }
        let finalizers = meta.finalizers.as_deref().unwrap_or_default();
        let ops = if finalizers.is_empty() {
            // an empty list is absent from the object's JSON: test the version instead
            let version = meta.resource_version.as_deref().unwrap_or_default();
            json!([
                {"op": "test", "path": "/metadata/resourceVersion", "value": version},
                {"op": "add", "path": "/metadata/finalizers", "value": [name]},
            ])
        } else {
            json!([
                {"op": "test", "path": "/metadata/finalizers", "value": finalizers},
                {"op": "add", "path": "/metadata/finalizers/-", "value": name},
            ])
        };
        match patch(api, &object_ref.name, ops).await {
            Ok(patched) => return Ok(Some(Arc::new(patched))),
            Err(err) if changed_meanwhile(&err) && attempt + 1 < ATTEMPTS => {
                attempt += 1;
                match api.get_opt(&object_ref.name).await.map_err(failed)? {
                    Some(fresh) => object = Arc::new(fresh),
                    None => return Ok(None),
                }
            }
            Err(err) => return Err(failed(err)),
        }
    }
}

/// Removes the finalizer, keeping every other one (also those added meanwhile).
async fn remove<K, E>(
    api: &Api<K>,
    name: &str,
    object_ref: &ObjectRef,
    mut object: Arc<K>,
) -> Result<(), Error<E>>
where
    K: Metadata<Ty = ObjectMeta> + DeserializeOwned + Send + 'static,
    E: std::error::Error + 'static,
{
    let failed = |source| Error::RemoveFinalizer {
        object: object_ref.clone(),
        finalizer: name.to_owned(),
        source,
    };
    let mut attempt = 0;
    loop {
        let finalizers = object.metadata().finalizers.as_deref().unwrap_or_default();
        let Some(index) = finalizers.iter().position(|f| f == name) else {
            return Ok(());
        };
        let ops = json!([
            {"op": "test", "path": "/metadata/finalizers", "value": finalizers},
            {"op": "remove", "path": format!("/metadata/finalizers/{index}")},
        ]);
        match patch(api, &object_ref.name, ops).await {
            Ok(_) => return Ok(()),
            // the last finalizer gone, the object may be gone too
            Err(err) if err.is_not_found() => return Ok(()),
            Err(err) if changed_meanwhile(&err) && attempt + 1 < ATTEMPTS => {
                attempt += 1;
                match api.get_opt(&object_ref.name).await.map_err(failed)? {
                    Some(fresh) => object = Arc::new(fresh),
                    None => return Ok(()),
                }
            }
            Err(err) => return Err(failed(err)),
        }
    }
}

async fn patch<K>(api: &Api<K>, name: &str, ops: Value) -> Result<K, kubeset_clientset::Error>
where
    K: DeserializeOwned + Send + 'static,
{
    api.patch(name, &PatchParams::default(), &Patch::Json(ops))
        .await
}

/// Whether a patch failed because the object is not what it was read as: a failed `test`
/// op (422 Invalid) or a conflict.
fn changed_meanwhile(err: &kubeset_clientset::Error) -> bool {
    err.is_invalid() || err.is_conflict()
}
