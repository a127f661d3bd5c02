//! Server restarts: the listener and every open connection closed, the same address bound
//! again after a downtime. The store is kept, so objects, resourceVersions and watch history
//! survive, as they do across a kube-apiserver restart (etcd keeps them).

use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

/// The restarts asked for so far; the serving task and each connection watch it.
#[derive(Debug)]
pub(crate) struct Restarts {
    asked: watch::Sender<Restart>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Restart {
    downtime: Duration,
}

impl Default for Restarts {
    fn default() -> Self {
        Restarts {
            asked: watch::channel(Restart::default()).0,
        }
    }
}

impl Restarts {
    /// Asks the serving task to restart, staying down for `downtime`.
    pub(crate) fn ask(&self, downtime: Duration) {
        self.asked.send_replace(Restart { downtime });
    }

    /// Notices the restarts asked for from now on.
    pub(crate) fn watch(&self) -> RestartWatch {
        RestartWatch(self.asked.subscribe())
    }
}

/// Completes at each restart asked for after it was made.
#[derive(Debug)]
pub(crate) struct RestartWatch(watch::Receiver<Restart>);

impl RestartWatch {
    /// Waits for the next restart; gives its downtime.
    pub(crate) async fn next(&mut self) -> Duration {
        match self.0.changed().await {
            Ok(()) => self.0.borrow_and_update().downtime,
            // the server is gone: no restart will come
            Err(_) => std::future::pending().await,
        }
    }
}

/// Closes `listener`, waits `downtime` (connections are refused meanwhile) and binds its
/// address again.
pub(crate) async fn rebind(listener: TcpListener, downtime: Duration) -> TcpListener {
    let Ok(addr) = listener.local_addr() else {
        return listener;
    };
    drop(listener);
    tokio::time::sleep(downtime).await;
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return listener,
            Err(error) => {
                tracing::warn!(%addr, %error, "could not bind the address again; retrying");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
