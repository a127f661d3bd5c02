//! The workloads with kubeset.

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use k8s_openapi::api::core::v1::Pod;
use kubeset_clientset::{Api, Client, ListParams, PostParams, WatchParams};

use super::{CREATES, EVENTS, PAGE, PAR_GETS, PODS, SEQ_GETS, TASKS, Workload, expect, names};
use crate::pods::NAMESPACE;
use crate::server::BoxError;

pub async fn run(
    workload: Workload,
    started: Instant,
    protobuf: bool,
) -> Result<Duration, BoxError> {
    let client = Client::infer().await?.with_protobuf(protobuf);
    let pods: Api<Pod> = client.pods(NAMESPACE);
    pods.get(&crate::pods::name(0)).await?;
    if workload == Workload::Startup {
        return Ok(started.elapsed());
    }
    let template = super::create_template()?;
    let names = names(SEQ_GETS.max(PAR_GETS).max(CREATES));
    let begin = Instant::now();
    match workload {
        Workload::Startup => {}
        Workload::List => {
            let list = pods.list(&ListParams::default()).await?;
            expect("pods listed", list.items.len(), PODS)?;
        }
        Workload::Pages => {
            let mut seen = 0;
            let mut token: Option<String> = None;
            loop {
                let mut lp = ListParams::default().limit(PAGE as u32);
                if let Some(t) = &token {
                    lp = lp.continue_token(t);
                }
                let page = pods.list(&lp).await?;
                seen += page.items.len();
                token = page.metadata.continue_.filter(|t| !t.is_empty());
                if token.is_none() {
                    break;
                }
            }
            expect("pods paged", seen, PODS)?;
        }
        Workload::GetSeq => {
            for name in &names[..SEQ_GETS] {
                pods.get(name).await?;
            }
        }
        Workload::Get64 => {
            let names = std::sync::Arc::new(names);
            let mut tasks = Vec::with_capacity(TASKS);
            for t in 0..TASKS {
                let pods = pods.clone();
                let names = names.clone();
                tasks.push(tokio::spawn(async move {
                    let mut done = 0;
                    for name in names[..PAR_GETS].iter().skip(t).step_by(TASKS) {
                        pods.get(name).await?;
                        done += 1;
                    }
                    Ok::<usize, kubeset_clientset::Error>(done)
                }));
            }
            let mut done = 0;
            for task in tasks {
                done += task.await??;
            }
            expect("GETs", done, PAR_GETS)?;
        }
        Workload::Create => {
            for name in &names[..CREATES] {
                let mut pod = template.clone();
                pod.metadata.name = Some(name.clone());
                pods.create(&PostParams::default(), &pod).await?;
            }
        }
        Workload::Watch => {
            let mut events = pods.watch(&WatchParams::default()).await?;
            let mut seen = 0;
            while let Some(_event) = events.try_next().await? {
                seen += 1;
            }
            expect("watch events", seen, EVENTS)?;
        }
    }
    Ok(begin.elapsed())
}
