//! The demo's steps, in the order they are told.

mod daemons;
mod in_cluster;
mod least_privilege;
mod provisioner;

use super::DemoError;
use super::cluster::Cluster;

/// The namespace the demo's programs run in.
pub(crate) const NAMESPACE: &str = "kubeset-demo";
/// The node the demo's kubelet plays.
pub(crate) const NODE: &str = "demo-node-1";

pub(crate) async fn run(cluster: &Cluster) -> Result<(), DemoError> {
    in_cluster::run(cluster, 2).await?;
    provisioner::run(cluster, 3).await?;
    least_privilege::run(cluster, 6).await?;
    daemons::run(cluster, 7).await?;
    Ok(())
}
