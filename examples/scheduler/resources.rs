//! CPU, memory and pod counts: what a pod requests and what a node offers, computed as
//! kube-scheduler's NodeResourcesFit plugin computes them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Node, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// Amounts of the resources the scheduler accounts: CPU in millicores, memory in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Resources {
    /// Millicores.
    pub(crate) milli_cpu: i64,
    /// Bytes.
    pub(crate) memory: i64,
}

impl Resources {
    pub(crate) fn add(self, other: Self) -> Self {
        Self {
            milli_cpu: self.milli_cpu.saturating_add(other.milli_cpu),
            memory: self.memory.saturating_add(other.memory),
        }
    }

    fn max(self, other: Self) -> Self {
        Self {
            milli_cpu: self.milli_cpu.max(other.milli_cpu),
            memory: self.memory.max(other.memory),
        }
    }

    fn from_list(list: Option<&BTreeMap<String, Quantity>>) -> Self {
        let get = |name: &str| list.and_then(|l| l.get(name)).map(|q| milli(&q.0));
        Self {
            milli_cpu: get("cpu").flatten().unwrap_or(0),
            // memory in milli-bytes, rounded up to whole bytes
            memory: get("memory")
                .flatten()
                .map(|m| m.saturating_add(999) / 1000)
                .unwrap_or(0),
        }
    }
}

/// kube-scheduler's defaults for a container that requests nothing, used when scoring only
/// (`schedutil.DefaultMilliCPURequest`, `DefaultMemoryRequest`).
const NON_ZERO: Resources = Resources {
    milli_cpu: 100,
    memory: 200 * 1024 * 1024,
};

fn container_requests(container: &Container, non_zero: bool) -> Resources {
    let requests = container
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref());
    let mut amount = Resources::from_list(requests);
    if non_zero {
        let has = |name: &str| requests.is_some_and(|r| r.contains_key(name));
        if !has("cpu") {
            amount.milli_cpu = NON_ZERO.milli_cpu;
        }
        if !has("memory") {
            amount.memory = NON_ZERO.memory;
        }
    }
    amount
}

/// What `pod` requests (`resourcehelper.PodRequests`): the sum of its containers and its
/// sidecars (init containers with `restartPolicy: Always`), or the largest init container
/// plus the sidecars started before it when that is more, plus the pod's overhead.
/// `non_zero` puts kube-scheduler's defaults in for missing requests (scoring only).
pub(crate) fn pod_requests(pod: &Pod, non_zero: bool) -> Resources {
    let Some(spec) = &pod.spec else {
        return Resources::default();
    };
    let mut sum = spec.containers.iter().fold(Resources::default(), |acc, c| {
        acc.add(container_requests(c, non_zero))
    });
    let mut sidecars = Resources::default();
    let mut init = Resources::default();
    for container in spec.init_containers.iter().flatten() {
        let requests = container_requests(container, non_zero);
        let running_with_it = if container.restart_policy.as_deref() == Some("Always") {
            sum = sum.add(requests);
            sidecars = sidecars.add(requests);
            sidecars
        } else {
            requests.add(sidecars)
        };
        init = init.max(running_with_it);
    }
    let overhead = Resources::from_list(spec.overhead.as_ref());
    sum.max(init).add(overhead)
}

/// A node's allocatable CPU, memory and pod count (capacity when allocatable is unset).
pub(crate) fn allocatable(node: &Node) -> (Resources, i64) {
    let status = node.status.as_ref();
    let list = status
        .and_then(|s| s.allocatable.as_ref())
        .or_else(|| status.and_then(|s| s.capacity.as_ref()));
    let pods = list
        .and_then(|l| l.get("pods"))
        .and_then(|q| milli(&q.0))
        .map_or(0, |m| m / 1000);
    (Resources::from_list(list), pods)
}

/// A quantity (`100m`, `1.5Gi`, `2e3`) in thousandths, rounded up as `Quantity.MilliValue()`
/// rounds; `None` when it does not parse.
pub(crate) fn milli(text: &str) -> Option<i64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let (negative, number) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number.strip_prefix('+').unwrap_or(number)),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let digits = format!("{whole}{fraction}");
    let mantissa: i128 = digits.parse().ok()?;
    // value = mantissa * num / den
    let mut num: i128 = 1000;
    let mut den: i128 = 10i128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
    let binary = |power: u32| 1i128 << power;
    match suffix {
        "" => {}
        "n" => den = den.checked_mul(1_000_000_000)?,
        "u" => den = den.checked_mul(1_000_000)?,
        "m" => den = den.checked_mul(1000)?,
        "k" => num *= 1000,
        "M" => num *= 1_000_000,
        "G" => num *= 1_000_000_000,
        "T" => num *= 1_000_000_000_000,
        "P" => num *= 1_000_000_000_000_000,
        "E" => num *= 1_000_000_000_000_000_000,
        "Ki" => num *= binary(10),
        "Mi" => num *= binary(20),
        "Gi" => num *= binary(30),
        "Ti" => num *= binary(40),
        "Pi" => num *= binary(50),
        "Ei" => num *= binary(60),
        exponent => {
            let exponent: i32 = exponent.strip_prefix(['e', 'E'])?.parse().ok()?;
            let power = 10i128.checked_pow(exponent.unsigned_abs())?;
            if exponent >= 0 {
                num = num.checked_mul(power)?;
            } else {
                den = den.checked_mul(power)?;
            }
        }
    }
    let scaled = mantissa.checked_mul(num)?;
    let value = (scaled + den - 1) / den; // round up
    let value = if negative { -value } else { value };
    i64::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::milli;

    #[test]
    fn quantities() {
        for (text, expected) in [
            ("100m", Some(100)),
            ("1", Some(1000)),
            ("1.5", Some(1500)),
            ("1Ki", Some(1_024_000)),
            ("1.5Gi", Some(1_610_612_736_000)),
            ("2e3", Some(2_000_000)),
            ("1n", Some(1)),
            ("", None),
            ("abc", None),
        ] {
            assert_eq!(milli(text), expected, "{text}");
        }
    }
}
