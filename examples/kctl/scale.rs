//! `kctl scale --replicas=N [--current-replicas=N] [--resource-version=RV] TYPE/NAME...`:
//! the scale subresource, as `kubectl scale`.
//!
//! Without a precondition the replica count is merge-patched onto the Scale (a blind write);
//! with `--current-replicas` or `--resource-version` the Scale is read, checked (`error:
//! Expected replicas to be 3, was 2`) and written back with its resourceVersion, again after
//! a 409 Conflict, as kubectl's scaler retries conflicts.

use clap::Args;
use kubeset::clientset::{Api, DynamicObject, PostParams};

use crate::failure::Failure;
use crate::resources;
use crate::session::Session;

/// How many times a conditional scale is tried when the object keeps changing.
const CONFLICT_TRIES: usize = 5;

/// Flags of `scale`.
#[derive(Debug, Args)]
pub(crate) struct ScaleArgs {
    /// `TYPE NAME...` or `TYPE/NAME...`.
    pub(crate) args: Vec<String>,
    /// The new number of replicas (required).
    #[arg(long, allow_negative_numbers = true)]
    pub(crate) replicas: Option<i64>,
    /// Only scale when the current replicas are this many (-1: any).
    #[arg(long = "current-replicas", default_value_t = -1, allow_negative_numbers = true)]
    pub(crate) current_replicas: i64,
    /// Only scale when the resourceVersion is this one.
    #[arg(long = "resource-version", value_name = "RV")]
    pub(crate) resource_version: Option<String>,
}

/// Runs `scale`.
pub(crate) async fn run(session: &Session, args: &ScaleArgs) -> Result<(), Failure> {
    let Some(replicas) = args.replicas else {
        // cobra's required-flag check, reported through klog as kubectl's main does
        return Err(Failure::line(klog_error(
            r#""command failed" err="required flag(s) \"replicas\" not set""#,
        )));
    };
    let Ok(replicas) = i32::try_from(replicas)
        .map_err(drop)
        .and_then(|r| if r < 0 { Err(()) } else { Ok(r) })
    else {
        return Err(Failure::error(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
        ));
    };
    let request = resources::parse(&args.args).map_err(|_| {
        Failure::error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    })?;
    let discovery = session
        .discovery_knowing(|d| resources::known(d, &request))
        .await?;
    let mut warnings = Vec::new();
    let targets = resources::resolve(discovery, &request, &mut warnings)?;
    for warning in warnings {
        eprintln!("{warning}");
    }
    let rv = args.resource_version.as_deref().filter(|rv| !rv.is_empty());
    let names: usize = targets.iter().map(|t| t.names.len()).sum();
    if rv.is_some() && names > 1 {
        return Err(Failure::error(
            "cannot use --resource-version with multiple resources",
        ));
    }
    for target in &targets {
        let api = session.api(&target.resource, Some(&session.namespace));
        for name in &target.names {
            // kubectl's builder reads each object first
            api.get(name).await.map_err(|e| match e.api() {
                Some(api) => {
                    Failure::error(format!("no objects passed to scale {}", api.message()))
                }
                None => session.fail(&e),
            })?;
            if args.current_replicas == -1 && rv.is_none() {
                api.scale(name, replicas)
                    .await
                    .map_err(|e| session.fail(&e))?;
            } else {
                scale_if(session, &api, name, replicas, args.current_replicas, rv).await?;
            }
            println!("{}/{name} scaled", resources::kind_prefix(&target.resource));
        }
    }
    Ok(())
}

/// A klog error line as kubectl's `main` prints it: `E1206 19:24:09.141369   21721 run.go:72]
/// MESSAGE` (UTC, as the machines kctl is compared on run).
fn klog_error(message: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (_, month, day) = civil_from_days(days as i64);
    format!(
        "E{month:02}{day:02} {:02}:{:02}:{:02}.{:06} {:>7} run.go:72] {message}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_micros(),
        std::process::id()
    )
}

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Reads the Scale, checks the preconditions and writes it back, retrying conflicts.
async fn scale_if(
    session: &Session,
    api: &Api<DynamicObject>,
    name: &str,
    replicas: i32,
    current: i64,
    rv: Option<&str>,
) -> Result<(), Failure> {
    let mut tries = 0;
    loop {
        tries += 1;
        let mut scale = api.get_scale(name).await.map_err(|e| session.fail(&e))?;
        let now = scale.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
        if current != -1 && i64::from(now) != current {
            return Err(Failure::error(format!(
                "Expected replicas to be {current}, was {now}"
            )));
        }
        let actual_rv = scale.metadata.resource_version.clone().unwrap_or_default();
        if let Some(rv) = rv.filter(|rv| *rv != actual_rv) {
            return Err(Failure::error(format!(
                "Expected resource version to be {rv}, was {actual_rv}"
            )));
        }
        scale.spec.get_or_insert_default().replicas = Some(replicas);
        match api
            .replace_scale(name, &PostParams::default(), &scale)
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) if e.is_conflict() && tries < CONFLICT_TRIES => continue,
            Err(e) => return Err(session.fail(&e)),
        }
    }
}
