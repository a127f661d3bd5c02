//! [`Dynamic`]: a [`DynamicObject`] the runtime can key, and [`dynamic_watcher`].
//!
//! `DynamicObject` is `serde_json::Value`, a type of another crate: [`Object`]'s blanket
//! implementation for k8s-openapi types rules out implementing it for `Value` too (the
//! compiler cannot know that k8s-openapi will never implement its `Metadata` for `Value`).
//! A transparent wrapper of our own has no such conflict, costs nothing (same layout, same
//! JSON) and dereferences to the `Value`.

use std::ops::{Deref, DerefMut};

use futures_util::Stream;
use serde::{Deserialize, Serialize};

use super::{Event, Object, WatcherConfig, watcher};
use crate::{Api, DynamicObject, Error};

/// A [`DynamicObject`] (an object of a kind named at run time, as JSON) that a watcher, a
/// store and an informer can track: it dereferences to the JSON, so `obj["spec"]` reads it.
///
/// ```
/// use kubeset_clientset::runtime::{Dynamic, Object};
/// use serde_json::json;
///
/// let crontab = Dynamic::from(json!({
///     "apiVersion": "stable.example.com/v1", "kind": "CronTab",
///     "metadata": {"name": "nightly", "namespace": "ops", "resourceVersion": "7",
///                  "labels": {"team": "sre"}},
///     "spec": {"schedule": "0 3 * * *"},
/// }));
/// assert_eq!((crontab.namespace(), crontab.name()), (Some("ops"), Some("nightly")));
/// assert_eq!(crontab.label("team"), Some("sre"));
/// assert_eq!(crontab["spec"]["schedule"], "0 3 * * *");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Dynamic(pub DynamicObject);

impl Dynamic {
    /// The JSON.
    ///
    /// ```
    /// use kubeset_clientset::runtime::Dynamic;
    ///
    /// let json = Dynamic::from(serde_json::json!({"kind": "CronTab"})).into_inner();
    /// assert_eq!(json["kind"], "CronTab");
    /// ```
    pub fn into_inner(self) -> DynamicObject {
        self.0
    }

    fn meta(&self, field: &str) -> Option<&str> {
        self.0.get("metadata")?.get(field)?.as_str()
    }
}

impl Deref for Dynamic {
    type Target = DynamicObject;
    fn deref(&self) -> &DynamicObject {
        &self.0
    }
}

impl DerefMut for Dynamic {
    fn deref_mut(&mut self) -> &mut DynamicObject {
        &mut self.0
    }
}

impl From<DynamicObject> for Dynamic {
    fn from(object: DynamicObject) -> Self {
        Self(object)
    }
}

impl From<Dynamic> for DynamicObject {
    fn from(object: Dynamic) -> Self {
        object.0
    }
}

impl Object for Dynamic {
    fn name(&self) -> Option<&str> {
        self.meta("name")
    }
    fn namespace(&self) -> Option<&str> {
        self.meta("namespace")
    }
    fn resource_version(&self) -> Option<&str> {
        self.meta("resourceVersion")
    }
    fn label(&self, key: &str) -> Option<&str> {
        self.0.get("metadata")?.get("labels")?.get(key)?.as_str()
    }
}

/// [`watcher`] for a dynamic handle: each object as a [`Dynamic`].
///
/// Objects from the list keep the JSON the server sent: a real API server leaves `apiVersion`
/// and `kind` out of list items, so read the kind from the handle you watch.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use kubeset_clientset::{Api, ApiResource};
/// use kubeset_clientset::runtime::{WatcherConfig, dynamic_watcher};
///
/// # async fn demo(client: kubeset_clientset::Client) {
/// let crontabs = ApiResource::new("stable.example.com", "v1", "CronTab", "crontabs", true);
/// let api = Api::dynamic_all(client, &crontabs);
/// let mut events = std::pin::pin!(dynamic_watcher(api, WatcherConfig::default()));
/// while let Some(event) = events.next().await {
///     if let Ok(event) = event
///         && let Some(crontab) = event.object()
///     {
///         println!("{}", crontab["spec"]["schedule"]);
///     }
/// }
/// # }
/// ```
pub fn dynamic_watcher(
    api: Api<DynamicObject>,
    config: WatcherConfig,
) -> impl Stream<Item = Result<Event<Dynamic>, Error>> + Send + 'static {
    watcher(api.retyped::<Dynamic>(), config)
}
