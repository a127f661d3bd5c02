//! The workload strategies' warnings (`pkg/registry/{apps,batch,core}/*/strategy.go`): the
//! pod template's (`GetWarningsForPodTemplate`) on create and on updates that move
//! `metadata.generation`, the DNS-label name warning of the types whose names become pod
//! names, StatefulSet claim templates and history limits, Jobs' indexed completion limits
//! (`pkg/api/job/warnings.go`) and CronJobs' time zone in the schedule.

use serde_json::Value;

use super::{dns_label_name, pod, storage};

/// What a workload's pod is named from, as its strategies say it.
const POD_NAMES: &str = "Pod names and hostnames";

/// A strategy's pair of warning functions: `WarningsOnCreate`, and `WarningsOnUpdate` of the
/// main resource (the workloads' status strategies warn nothing).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Warnings {
    /// `WarningsOnCreate` of the stored object.
    pub(crate) create: fn(&Value) -> Vec<String>,
    /// `WarningsOnUpdate` of the stored object and the old one.
    pub(crate) update: fn(&Value, &Value) -> Vec<String>,
}

/// No warnings (ControllerRevisions, PodDisruptionBudgets).
pub(crate) const NONE: Warnings = Warnings {
    create: |_| Vec::new(),
    update: |_, _| Vec::new(),
};

/// Deployments and ReplicaSets.
pub(crate) const REPLICATED: Warnings = Warnings {
    create: named_template,
    update: template_on_generation,
};

/// ReplicationControllers: its `WarningsOnUpdate` passes the old template where the new one
/// belongs, so the old template is the one warned about.
pub(crate) const REPLICATION_CONTROLLERS: Warnings = Warnings {
    create: named_template,
    update: |new, old| {
        if generation_moved(new, old) {
            pod::template("spec.template", old.pointer("/spec/template"))
        } else {
            Vec::new()
        }
    },
};

/// DaemonSets: the template on create and when the template changes (which moves the
/// internal `spec.templateGeneration`).
pub(crate) const DAEMON_SETS: Warnings = Warnings {
    create: |obj| pod::template("spec.template", obj.pointer("/spec/template")),
    update: |new, old| {
        if new.pointer("/spec/template") != old.pointer("/spec/template") {
            pod::template("spec.template", new.pointer("/spec/template"))
        } else {
            Vec::new()
        }
    },
};

/// StatefulSets.
pub(crate) const STATEFUL_SETS: Warnings = Warnings {
    create: |obj| {
        let mut warnings = pod::template("spec.template", obj.pointer("/spec/template"));
        warnings.extend(claim_templates(obj, ""));
        warnings.extend(history_limit(obj));
        warnings
    },
    update: |new, old| {
        let mut warnings = template_on_generation(new, old);
        // the update path names the claim spec `Spec`, as Go's does
        warnings.extend(claim_templates(new, ".Spec"));
        warnings.extend(history_limit(new));
        warnings
    },
};

/// Jobs.
pub(crate) const JOBS: Warnings = Warnings {
    create: |obj| {
        let mut warnings: Vec<String> = dns_label_name(obj, POD_NAMES).into_iter().collect();
        warnings.extend(job_spec("spec", obj.get("spec")));
        warnings
    },
    update: |new, old| {
        if generation_moved(new, old) {
            job_spec("spec", new.get("spec"))
        } else {
            Vec::new()
        }
    },
};

/// CronJobs.
pub(crate) const CRON_JOBS: Warnings = Warnings {
    create: |obj| {
        let mut warnings: Vec<String> = dns_label_name(obj, POD_NAMES).into_iter().collect();
        warnings.extend(job_spec(
            "spec.jobTemplate.spec",
            obj.pointer("/spec/jobTemplate/spec"),
        ));
        warnings
    },
    update: |new, old| {
        let mut warnings = if generation_moved(new, old) {
            job_spec(
                "spec.jobTemplate.spec",
                new.pointer("/spec/jobTemplate/spec"),
            )
        } else {
            Vec::new()
        };
        let schedule = new
            .pointer("/spec/schedule")
            .and_then(Value::as_str)
            .unwrap_or("");
        if schedule.contains("TZ") {
            // Go names the field `spec.spec.schedule`
            warnings.push("cannot use TZ or CRON_TZ in spec.spec.schedule, use timeZone instead, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details".to_owned());
        }
        warnings
    },
};

/// PodTemplates: the template at `template`, on updates when it changes (which is when the
/// real strategy moves the generation).
pub(crate) const POD_TEMPLATES: Warnings = Warnings {
    create: |obj| pod::template("template", obj.get("template")),
    update: |new, old| {
        if new.get("template") != old.get("template") {
            pod::template("template", new.get("template"))
        } else {
            Vec::new()
        }
    },
};

fn generation_moved(new: &Value, old: &Value) -> bool {
    new.pointer("/metadata/generation") != old.pointer("/metadata/generation")
}

fn named_template(obj: &Value) -> Vec<String> {
    let mut warnings: Vec<String> = dns_label_name(obj, POD_NAMES).into_iter().collect();
    warnings.extend(pod::template(
        "spec.template",
        obj.pointer("/spec/template"),
    ));
    warnings
}

fn template_on_generation(new: &Value, old: &Value) -> Vec<String> {
    if generation_moved(new, old) {
        pod::template("spec.template", new.pointer("/spec/template"))
    } else {
        Vec::new()
    }
}

/// The claim spec warnings of each of `spec.volumeClaimTemplates` (`suffix` after the
/// index: `""` on create, `.Spec` on update).
fn claim_templates(obj: &Value, suffix: &str) -> Vec<String> {
    super::items(obj, "/spec/volumeClaimTemplates")
        .iter()
        .enumerate()
        .flat_map(|(i, claim)| {
            let path = format!("spec.volumeClaimTemplates[{i}]{suffix}");
            storage::claim_spec(&path, claim.get("spec").unwrap_or(&Value::Null))
        })
        .collect()
}

fn history_limit(obj: &Value) -> Option<String> {
    let limit = obj.pointer("/spec/revisionHistoryLimit")?.as_i64()?;
    (limit < 0).then(|| {
        "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended".to_owned()
    })
}

/// `WarningsForJobSpec` of the job spec at `path`.
fn job_spec(path: &str, spec: Option<&Value>) -> Vec<String> {
    let Some(spec) = spec else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    let indexed = spec.get("completionMode").and_then(Value::as_str) == Some("Indexed");
    let int = |key: &str| spec.get(key).and_then(Value::as_i64).unwrap_or(0);
    if indexed && int("completions") > 100_000 && int("parallelism") > 10_000 {
        warnings.push(format!("{path}: In Indexed Jobs with a number of completions higher than 10^5 and a parallelism higher than 10^4, Kubernetes might not be able to track completedIndexes when a big number of indexes fail"));
    }
    warnings.extend(pod::template(
        &format!("{path}.template"),
        spec.get("template"),
    ));
    warnings
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deployment(name: &str, generation: i64) -> Value {
        json!({"metadata": {"name": name, "generation": generation}, "spec": {"template": {
            "spec": {"nodeSelector": {"beta.kubernetes.io/os": "linux"},
                "containers": [{"name": "c", "image": "i"}]}}}})
    }

    const OS: &str = "spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use \"kubernetes.io/os\" instead";

    /// `deploymentStrategy.WarningsOnCreate`/`WarningsOnUpdate`: the name, the template, and
    /// on update the template only when the generation moved.
    #[test]
    fn deployments_warn_on_create_and_on_spec_changes() {
        let created = (REPLICATED.create)(&deployment("web.v1", 1));
        assert_eq!(created.len(), 2);
        assert!(created[0].starts_with("metadata.name: this is used in Pod names and hostnames"));
        assert_eq!(created[1], OS);
        let old = deployment("web", 1);
        assert!((REPLICATED.update)(&deployment("web", 1), &old).is_empty());
        assert_eq!((REPLICATED.update)(&deployment("web", 2), &old), [OS]);
    }

    /// The ReplicationController strategy warns about the old template.
    #[test]
    fn replication_controllers_warn_about_the_old_template() {
        let mut new = deployment("rc", 2);
        new["spec"]["template"]["spec"]["nodeSelector"] = json!({});
        assert_eq!(
            (REPLICATION_CONTROLLERS.update)(&new, &deployment("rc", 1)),
            [OS]
        );
    }

    /// StatefulSets: claim templates (`Spec` on update) and a negative history limit.
    #[test]
    fn stateful_sets() {
        let sts = json!({"metadata": {"name": "s", "generation": 1}, "spec": {
            "revisionHistoryLimit": -1,
            "volumeClaimTemplates": [{"spec": {"resources": {"requests": {"storage": "100m"}}}}]}});
        let storage = |p: &str| {
            format!(
                "{p}.resources.requests[storage]: fractional byte value \"100m\" is invalid, must be an integer"
            )
        };
        let limit = "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended";
        assert_eq!(
            (STATEFUL_SETS.create)(&sts),
            [storage("spec.volumeClaimTemplates[0]"), limit.to_owned()]
        );
        assert_eq!(
            (STATEFUL_SETS.update)(&sts, &sts),
            [
                storage("spec.volumeClaimTemplates[0].Spec"),
                limit.to_owned()
            ]
        );
    }

    /// PodTemplates: the template at `template`, again only when it changes.
    #[test]
    fn pod_templates() {
        let pt = json!({"metadata": {"name": "pt"}, "template": {"spec": {
            "nodeSelector": {"beta.kubernetes.io/os": "linux"}}}});
        let warning = "template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use \"kubernetes.io/os\" instead";
        assert_eq!((POD_TEMPLATES.create)(&pt), [warning]);
        assert!((POD_TEMPLATES.update)(&pt, &pt).is_empty());
        let mut changed = pt.clone();
        changed["template"]["metadata"] = json!({"labels": {"a": "b"}});
        assert_eq!((POD_TEMPLATES.update)(&changed, &pt), [warning]);
    }

    /// CronJobs: the job template's path, and the time zone in the schedule on update.
    #[test]
    fn cron_jobs() {
        let cj = json!({"metadata": {"name": "c", "generation": 1}, "spec": {
            "schedule": "CRON_TZ=UTC 0 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "terminationGracePeriodSeconds": -1}}}}}});
        assert_eq!(
            (CRON_JOBS.create)(&cj),
            [
                "spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1"
            ]
        );
        assert_eq!(
            (CRON_JOBS.update)(&cj, &cj),
            [
                "cannot use TZ or CRON_TZ in spec.spec.schedule, use timeZone instead, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details"
            ]
        );
    }
}
