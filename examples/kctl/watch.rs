//! `kctl get -w`: the current state, then every change as it arrives, as `kubectl get -w`.
//!
//! kubectl lists first (as a `Table` for the default output) and prints the rows, then
//! watches from the list's resourceVersion and prints each event's object: for tables the
//! server sends each event as a one-row `Table`, printed without a header under the first
//! one, columns never narrowing (tabwriter's remembered widths). A named object is fetched,
//! printed, and watched from resourceVersion `0` with a `metadata.name` field selector; the
//! synthetic first `ADDED` event that watch sends is not printed again. The output is flushed
//! after every event. The command ends when the server closes the watch.

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::BodyStream;
use kubeset::clientset::Table;
use kubeset::transport::RequestBody;
use serde_json::Value;

use crate::failure::Failure;
use crate::get::{GetArgs, Printed, fill_type, name_of, table_options};
use crate::resources::Target;
use crate::session::Session;
use crate::table::TablePrinter;
use crate::{Output, json as json_out, yaml};

/// `Accept` for tables.
const ACCEPT_TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io";

/// Prints objects or rows one by one, keeping the printer's state between events.
struct Printer<'a> {
    output: Output,
    table: TablePrinter,
    targets: &'a [Target],
    printed: usize,
}

impl Printer<'_> {
    fn object(&mut self, mut object: Value) {
        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("managedFields");
        }
        let text = match self.output {
            Output::Json => json_out::to_string(&object),
            Output::Yaml if self.printed > 0 => format!("---\n{}", yaml::to_string(&object)),
            Output::Yaml => yaml::to_string(&object),
            _ => format!("{}\n", name_of(&object, self.targets)),
        };
        self.printed += 1;
        emit(&text);
    }

    fn rows(&mut self, table: &Table, event: Option<&str>) {
        let mut text = self.table.print(table, event);
        text.push_str(&self.table.flush());
        emit(&text);
    }
}

fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Runs `get -w`.
pub(crate) async fn run(
    session: &Session,
    args: &GetArgs,
    output: Output,
    targets: &[Target],
) -> Result<Printed, Failure> {
    let [target] = targets else {
        return Err(Failure::error(
            "watch is only supported on individual resources and resource collections - more than 1 resource was found",
        ));
    };
    let names = &target.names;
    if names.len() > 1 {
        return Err(Failure::error(
            "watch is only supported on individual resources and resource collections - more than 1 resource was found",
        ));
    }
    let tables = matches!(output, Output::Table | Output::Wide);
    let mut printer = Printer {
        output,
        table: TablePrinter::default(),
        targets,
        printed: 0,
    };
    print!(
        "{}",
        printer
            .table
            .start_kind(table_options(args, output, target, false))
    );
    let api = session.api(&target.resource, args.namespace(session));
    let mut field_selector = args.field_selector.clone();
    let mut skip_first = false;
    let resource_version = match names.first() {
        Some(name) => {
            // A watch for one object starts at "now" and sends its state first.
            field_selector = Some(format!("metadata.name={name}"));
            // The watch's synthetic first ADDED is never printed (kubectl suppresses it with
            // --watch-only too).
            skip_first = true;
            if !args.watch_only {
                if tables {
                    let table = api.get_table(name).await.map_err(|e| session.fail(&e))?;
                    printer.rows(&table, args.output_watch_events.then_some("ADDED"));
                } else {
                    let object = api.get(name).await.map_err(|e| session.fail(&e))?;
                    printer.object(object);
                }
            }
            String::from("0")
        }
        None if tables => {
            let table = api
                .list_table(&args.list_params())
                .await
                .map_err(|e| session.fail(&e))?;
            if !args.watch_only {
                printer.rows(&table, args.output_watch_events.then_some("ADDED"));
            }
            table.metadata.resource_version.clone().unwrap_or_default()
        }
        None => {
            let list = api
                .list(&args.list_params())
                .await
                .map_err(|e| session.fail(&e))?;
            let rv = list.resource_version().unwrap_or_default().to_owned();
            let api_version = list.api_version.clone();
            if !args.watch_only {
                for mut item in list.items {
                    fill_type(&mut item, &api_version, &target.resource.kind);
                    printer.object(item);
                }
            }
            rv
        }
    };

    let mut query = vec![
        ("watch", String::from("true")),
        ("resourceVersion", resource_version),
    ];
    if let Some(selector) = &args.selector {
        query.push(("labelSelector", selector.clone()));
    }
    if let Some(selector) = field_selector {
        query.push(("fieldSelector", selector));
    }
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    let url = format!("{}?{query}", api.collection_path());
    let accept = if tables {
        ACCEPT_TABLE
    } else {
        "application/json"
    };
    let request = http::Request::get(url.as_str())
        .header(http::header::ACCEPT, accept)
        .body(RequestBody::default())
        .map_err(|e| Failure::error(format!("invalid watch request {url}: {e}")))?;
    let response = session
        .client
        .send(request)
        .await
        .map_err(|e| session.fail(&e))?;
    let mut body = BodyStream::new(response.into_body());
    let mut pending: Vec<u8> = Vec::new();
    while let Some(frame) = body.next().await {
        let frame = frame.map_err(|e| Failure::error(format!("watch of {url} broke off: {e}")))?;
        let Ok(data): Result<Bytes, _> = frame.into_data() else {
            continue;
        };
        pending.extend_from_slice(&data);
        while let Some(at) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=at).collect();
            let Ok(event) = serde_json::from_slice::<Value>(&line) else {
                continue;
            };
            let kind = event["type"].as_str().unwrap_or_default().to_owned();
            let object = event["object"].clone();
            if kind == "ERROR" {
                let message = object["message"].as_str().unwrap_or_default();
                return Err(Failure::error(message));
            }
            if kind == "BOOKMARK" {
                continue;
            }
            if std::mem::take(&mut skip_first) {
                continue;
            }
            if tables {
                let table: Table = serde_json::from_value(object).map_err(|e| {
                    Failure::error(format!("a watch event of {url} is not a Table: {e}"))
                })?;
                printer.rows(&table, args.output_watch_events.then_some(kind.as_str()));
            } else {
                let mut object = object;
                fill_type(
                    &mut object,
                    &target.resource.api_version,
                    &target.resource.kind,
                );
                printer.object(object);
            }
        }
    }
    Ok(Printed { errors: Vec::new() })
}
