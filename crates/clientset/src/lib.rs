//! A typed, async Kubernetes clientset.
//!
//! [`Client`] holds one connection to an API server (cheap to clone); handles made from it
//! speak to one resource type in one scope. Every handle is an [`Api<K>`] for a k8s-openapi
//! type (or your own type implementing its `Resource` and `Metadata` traits), and offers every
//! verb: [`get`](Api::get), [`get_opt`](Api::get_opt), [`list`](Api::list) (decoded as it
//! streams, in parallel), [`list_all`](Api::list_all) (paging), [`watch`](Api::watch),
//! [`create`](Api::create), [`replace`](Api::replace), [`patch`](Api::patch) (merge, JSON,
//! strategic, server-side apply), [`delete`](Api::delete),
//! [`delete_collection`](Api::delete_collection), the `status` forms, and metadata-only
//! reads ([`get_metadata`](Api::get_metadata), [`list_metadata`](Api::list_metadata),
//! [`watch_metadata`](Api::watch_metadata)).
//!
//! Resource-specific verbs live on their handles: pod [`logs`](Api::logs),
//! [`bind`](Api::bind), [`evict`](Api::evict), and streams into pods over WebSocket:
//! [`exec`](Api::exec), [`attach`](Api::attach), [`exec_output`](Api::exec_output),
//! [`port_forward`](Api::port_forward), [`forward_local`](Api::forward_local); node [`cordon`](Api::cordon); ServiceAccount
//! [`create_token`](Api::create_token). RBAC self-checks live on the client:
//! [`whoami`](Client::whoami), [`can_i`](Client::can_i), [`rules`](Client::rules),
//! [`missing_permissions`](Client::missing_permissions). Untyped access goes through
//! [`ApiResource`] and [`Discovery`].
//!
//! Controllers build on the [`runtime`] module: a [`watcher`](runtime::watcher) that lists,
//! watches, resumes and re-lists after 410 Gone so that no change is lost, a
//! [`Store`](runtime::Store) cache it keeps current, and an [`Informer`](runtime::Informer)
//! that reports each change.
//!
//! [`Client::new`] and [`Client::infer`] build a client with the default options;
//! [`Client::builder`] names them (timeouts, rate limit, User-Agent, retries, and the
//! [`WarningHandler`](kubeset_transport::WarningHandler) that receives the server's warnings).
//!
//! All failures are one [`Error`]; API errors carry the server's `Status`
//! (`err.is_not_found()`, `err.is_conflict()`, `err.is_gone()`, ...), and a 403 explains
//! who was denied what, and which RBAC rule would allow it. Failures below HTTP are told apart
//! the same way: `err.is_config()`, `err.is_connect()`, `err.is_tls()`, `err.is_exec()`,
//! `err.is_request_timeout()`, with accessors for the transport's typed errors.
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use kubeset_clientset::{Client, ListParams, WatchEvent, WatchParams};
//!
//! # async fn demo() -> Result<(), kubeset_clientset::Error> {
//! let client = Client::infer().await?;
//! let pods = client.pods("apps");
//! let list = pods.list(&ListParams::default().labels("app=web")).await?;
//! let rv = list.resource_version().unwrap_or("0").to_owned();
//! let mut events = pods.watch(&WatchParams::default().labels("app=web").from_version(&rv)).await?;
//! while let Some(event) = events.try_next().await? {
//!     if let WatchEvent::Deleted(pod) = event {
//!         println!("{:?} went away", pod.metadata.name);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! The crate enables no Kubernetes version feature of k8s-openapi: your binary picks one.
//!
//! # Design
//!
//! - **One erased transport.** A [`Client`] holds one `kubeset_transport::BoxService` behind
//!   an `Arc`; requests carry origin-form URIs (`/api/v1/...`) and the transport adds the
//!   server, credentials and compression. [`Client::from_service`] accepts any tower service,
//!   so tests drive the client with `tower_test` or a local server.
//! - **Handles compute once.** An [`Api`] builds its collection path when it is made; a
//!   request appends a name and a query to it, nothing more.
//! - **Lists are decoded while they stream.** A scanner finds the elements of `items` as bytes
//!   arrive (eight bytes at a time, looking only at quotes, escapes and brackets), copies each into a batch, and hands
//!   full batches (256 KiB) to blocking threads, as many at once as there are cores; the
//!   reader waits when they fall behind, so the raw bytes held are a few batches, not the
//!   body. Items keep their order; a bad item is reported as `items[N].field.path`.
//! - **Watches are decoded line by line**, as each newline-terminated event arrives.
//! - **The runtime shares objects.** A watcher's object is moved into an `Arc` once; the
//!   store, the informer's handlers and its streams all hold that one allocation.
//! - **Errors are decoded once, explained cheaply.** A 403 is explained from the request and
//!   the server's message without another request; [`Client::explain_forbidden`] adds the
//!   caller's groups with one `SelfSubjectReview` when wanted.
//! - **Decoding is plain serde_json on the happy path**; only a document that fails is decoded
//!   again with `serde_path_to_error` to name the failing field.
//!
//! Architecture invariant: this crate never builds a connection itself; everything that
//! touches the network goes through the one service in [`Client`] (the `wiring` module is the
//! only place that constructs it from a configuration).
//!
//! Architecture invariant: nothing here panics on a server's answer; every malformed body is
//! an [`Error`] naming the URL.

mod api;
mod builder;
mod cause;
mod client;
pub mod crd;
mod decode;
mod discovery;
mod dynamic;
mod error;
mod forbidden;
#[doc(hidden)]
pub mod fuzzing;
mod handles;
mod list;
mod logs;
mod metadata;
mod nodes;
mod params;
mod patch;
mod pods;
mod protobuf;
mod query;
mod rbac;
mod read;
mod remote;
pub mod runtime;
mod scale;
mod split;
mod status;
mod table;
mod tokens;
mod watch;
mod wiring;
mod write;
mod write_params;

pub use api::Api;
pub use builder::ClientBuilder;
pub use client::Client;
pub use discovery::{DiscoveredResource, Discovery, DiscoveryCache, cache_dir_name};
pub use dynamic::{ApiResource, DynamicObject};
pub use either::Either;
pub use error::{ApiError, Error};
pub use forbidden::{Caller, Denial, Permission};
pub use list::ObjectList;
pub use logs::LogLine;
pub use metadata::PartialObjectMetadata;
pub use params::{GetParams, ListParams, VersionMatch, WatchParams};
pub use patch::Patch;
pub use pods::LogParams;
pub use rbac::{AccessDecision, CanI};
pub use remote::{
    AttachedProcess, ChannelProtocol, ExecOutput, ExecParams, ExitStatus, ForwardEvent,
    LocalForward, PortForward, PortStream, RemoteError, Stderr, Stdin, Stdout, TerminalResizer,
    TerminalSize,
};
pub use table::{Table, TableColumn, TableRow};
pub use tokens::{IssuedToken, TokenParams};
pub use watch::{Bookmark, INITIAL_EVENTS_END, WatchEvent, WatchStream};
pub use write_params::{
    DeleteParams, FieldValidation, PatchParams, PostParams, Preconditions, PropagationPolicy,
};
