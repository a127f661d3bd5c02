//! Data-driven tests over the recorded kube-apiserver transcripts
//! (`tests/transcripts/*.json`): for every successful write, the previous state
//! of the object (from earlier responses) and the request go through this
//! module's code, and the result must equal what the real server answered.

mod apply;
mod strategic;
mod update;

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::Value;

/// One write step of a transcript, with the object state before it.
pub(crate) struct WriteStep {
    pub(crate) scenario: String,
    pub(crate) step: usize,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) content_type: String,
    pub(crate) request: Value,
    pub(crate) status: u64,
    pub(crate) response: Value,
    pub(crate) old: Option<Value>,
}

impl WriteStep {
    pub(crate) fn name(&self) -> String {
        format!(
            "{} step {} ({} {})",
            self.scenario, self.step, self.method, self.path
        )
    }

    pub(crate) fn query(&self, key: &str) -> Option<&str> {
        let (_, query) = self.path.split_once('?')?;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    pub(crate) fn subresource(&self) -> Option<&str> {
        let path = self.path.split('?').next().unwrap_or("");
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        // /api/v1/namespaces/NS/RES/NAME/SUB or /apis/G/V/namespaces/NS/RES/NAME/SUB
        let base = if parts.first() == Some(&"api") { 2 } else { 3 };
        let rest = &parts[base.min(parts.len())..];
        let rest = if rest.first() == Some(&"namespaces") && rest.len() > 2 {
            &rest[2..]
        } else {
            rest
        };
        rest.get(2).copied()
    }
}

fn transcripts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts")
}

fn object_key(object: &Value) -> Option<String> {
    let kind = object.get("kind")?.as_str()?;
    let api_version = object.get("apiVersion")?.as_str()?;
    let name = object.pointer("/metadata/name")?.as_str()?;
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    Some(format!("{api_version}/{kind}/{namespace}/{name}"))
}

/// Every POST/PUT/PATCH step of every transcript whose response is a stored object
/// or an error, with the last known state of the object it targets.
pub(crate) fn write_steps() -> Vec<WriteStep> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(transcripts_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let transcript: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let scenario = transcript["scenario"].as_str().unwrap().to_owned();
        let mut states: HashMap<String, Value> = HashMap::new();
        // Last state by URL path (without query and subresource), for steps answered with errors.
        let mut by_url: HashMap<String, String> = HashMap::new();
        for (i, step) in transcript["steps"].as_array().unwrap().iter().enumerate() {
            let request = &step["request"];
            let method = request["method"].as_str().unwrap().to_owned();
            let path = request["path"].as_str().unwrap().to_owned();
            let response = step["response"]["body"].clone();
            let status = step["response"]["status"].as_u64().unwrap();
            let object_path = path
                .split('?')
                .next()
                .unwrap()
                .trim_end_matches("/status")
                .to_owned();
            let key = object_key(&response);
            if matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
                let old = match method.as_str() {
                    "POST" => None,
                    _ => by_url
                        .get(&object_path)
                        .and_then(|k| states.get(k))
                        .cloned(),
                };
                out.push(WriteStep {
                    scenario: scenario.clone(),
                    step: i + 1,
                    method: method.clone(),
                    path: path.clone(),
                    content_type: request["headers"]["Content-Type"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                    request: request["body"].clone(),
                    status,
                    response: response.clone(),
                    old,
                });
            }
            let is_dry_run = path.contains("dryRun=");
            if let Some(key) =
                key.filter(|_| status < 300 && !is_dry_run && response.get("metadata").is_some())
            {
                let url = if method == "POST" {
                    format!(
                        "{}/{}",
                        object_path,
                        response["metadata"]["name"].as_str().unwrap_or("")
                    )
                } else {
                    object_path.clone()
                };
                by_url.insert(url, key.clone());
                states.insert(key, response);
            }
        }
    }
    out
}

/// Sorts managedFields as the transcripts are normalized. The transcripts'
/// `<uid>` placeholders stand for real UUIDs, which Go's encoder would not
/// escape: undo the escaping of `<`/`>` that the placeholder itself caused.
pub(crate) fn normalized(managed: &Value) -> Value {
    fn unescape_keys(value: &mut Value) {
        if let Value::Object(map) = value {
            let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (key, mut child) in entries {
                unescape_keys(&mut child);
                map.insert(key.replace("\\u003cuid\\u003e", "<uid>"), child);
            }
        } else if let Value::Array(items) = value {
            items.iter_mut().for_each(unescape_keys);
        }
    }
    let mut list = managed.as_array().cloned().unwrap_or_default();
    list.iter_mut().for_each(unescape_keys);
    let key = |e: &Value| {
        ["operation", "manager", "subresource", "apiVersion"]
            .map(|k| e.get(k).and_then(Value::as_str).unwrap_or("").to_owned())
    };
    list.sort_by_key(key);
    Value::Array(list)
}

/// Replaces RFC 3339 timestamps with `<time>`, as the transcripts are normalized.
pub(crate) fn normalize_times(value: &mut Value) {
    match value {
        Value::String(s) => {
            let b = s.as_bytes();
            let digits = |r: std::ops::Range<usize>| {
                r.into_iter()
                    .all(|i| b.get(i).is_some_and(u8::is_ascii_digit))
            };
            if b.len() >= 20
                && digits(0..4)
                && b[4] == b'-'
                && digits(5..7)
                && b[10] == b'T'
                && digits(11..13)
            {
                *s = "<time>".to_owned();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_times),
        Value::Object(map) => map.values_mut().for_each(normalize_times),
        _ => {}
    }
}

/// The parts of a patched object that the patch decides (not server-filled metadata).
pub(crate) fn patched_part(object: &Value) -> Value {
    let mut object = object.clone();
    normalize_times(&mut object);
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in ["managedFields", "resourceVersion", "generation"] {
            metadata.remove(field);
        }
    }
    object
}
