//! The objects of `-f FILE` arguments, as kubectl reads them.
//!
//! A file holds one or more YAML documents (`---` between them) or JSON; `-` is standard
//! input (named `STDIN` in messages, as kubectl does). Empty documents are skipped, and a
//! `v1` `List` contributes its items.

use std::io::Read;

use serde_json::Value;

use crate::failure::Failure;

/// One object and the file it came from.
#[derive(Debug, Clone)]
pub(crate) struct Manifest {
    /// The file as kubectl names it in messages (`STDIN` for `-`).
    pub(crate) source: String,
    /// The object.
    pub(crate) object: Value,
}

/// Reads every object of `files`, in order.
pub(crate) fn read(files: &[String]) -> Result<Vec<Manifest>, Failure> {
    if files.is_empty() {
        return Err(Failure::error("must specify one of -f and -k"));
    }
    let mut manifests = Vec::new();
    for file in files {
        let (source, text) = if file == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::error(format!("failed to read standard input: {e}")))?;
            (String::from("STDIN"), text)
        } else {
            let text = std::fs::read_to_string(file).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    Failure::error(format!("the path \"{file}\" does not exist"))
                } else {
                    Failure::error(format!("failed to read \"{file}\": {e}"))
                }
            })?;
            (file.clone(), text)
        };
        for object in parse(&source, &text)? {
            manifests.push(Manifest {
                source: source.clone(),
                object,
            });
        }
    }
    Ok(manifests)
}

/// The objects in one file's text.
pub(crate) fn parse(source: &str, text: &str) -> Result<Vec<Value>, Failure> {
    let documents: Vec<Value> = if text.trim_start().starts_with('{') {
        // JSON, possibly several objects one after another.
        serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .collect::<Result<_, _>>()
            .map_err(|e| Failure::error(format!("error parsing {source}: {e}")))?
    } else {
        serde_saphyr::from_multiple::<Value>(text).map_err(|e| {
            Failure::error(format!(
                "error parsing {source}: {}",
                crate::failure::chain(&e)
            ))
        })?
    };
    let mut objects = Vec::new();
    for document in documents {
        match document {
            Value::Null => {}
            Value::Object(ref map) if map.is_empty() => {}
            Value::Object(ref map)
                if map.get("kind").and_then(Value::as_str) == Some("List")
                    && map.get("items").is_some_and(Value::is_array) =>
            {
                if let Some(Value::Array(items)) = map.get("items") {
                    objects.extend(items.iter().cloned());
                }
            }
            Value::Object(_) => objects.push(document),
            _ => {
                return Err(Failure::error(format!(
                    "error validating \"{source}\": error validating data: the document is not an object"
                )));
            }
        }
    }
    for object in &objects {
        if object["kind"].as_str().is_none_or(str::is_empty) {
            return Err(Failure::error(format!(
                "error validating \"{source}\": error validating data: kind not set"
            )));
        }
        if object["apiVersion"].as_str().is_none_or(str::is_empty) {
            return Err(Failure::error(format!(
                "error validating \"{source}\": error validating data: apiVersion not set"
            )));
        }
    }
    Ok(objects)
}
