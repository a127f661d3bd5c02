//! Architecture invariants of the crate, read from its sources: no cycle between top-level
//! modules (beyond the listed ones, which must only shrink), and no dead-code allowance
//! (beyond the listed one).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module cycles that still exist, each a pair `(a, b)` with `a < b` (one depends on the
/// other directly, which reaches it back). None is left; the test fails when the list is not
/// exact, so a new cycle has to be named here, with its reason, to pass.
const KNOWN_CYCLES: &[(&str, &str)] = &[];

/// Files allowed to name `dead_code` in an attribute, with the reason.
const DEAD_CODE_EXCEPTIONS: &[&str] = &[];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `module -> modules it names as crate::x`, over every file (tests included).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = src();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&root).unwrap_or(&file);
        let top = rel
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned()
            })
            .unwrap_or_default();
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let deps = graph.entry(top.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `crate::TestServer` and the like are the root's re-exports, not modules
            if name.starts_with(|c: char| c.is_ascii_lowercase()) && name != top {
                deps.insert(name);
            }
        }
    }
    graph
}

/// Whether `to` is reachable from `from`.
fn reaches(graph: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(m) = stack.pop() {
        for next in graph.get(&m).into_iter().flatten() {
            if next == to {
                return true;
            }
            if seen.insert(next.clone()) {
                stack.push(next.clone());
            }
        }
    }
    false
}

#[test]
fn top_level_modules_form_no_new_cycle() {
    let graph = module_graph();
    assert!(graph.contains_key("registry") && graph.contains_key("api"));
    let mut cycles = BTreeSet::new();
    for (a, deps) in &graph {
        for b in deps {
            if reaches(&graph, b, a) {
                let pair = if a < b { (a, b) } else { (b, a) };
                cycles.insert((pair.0.clone(), pair.1.clone()));
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN_CYCLES
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(
        cycles, known,
        "module cycles (a depends on b directly, and b reaches a) differ from KNOWN_CYCLES"
    );
}

#[test]
fn the_lowest_modules_depend_on_nothing_above_them() {
    let graph = module_graph();
    for (module, allowed) in [
        ("shared", &[][..]),
        ("selector", &["validation", "shared"][..]),
        ("validation", &["shared"][..]),
        ("cel", &["validation", "shared"][..]),
        (
            "admission",
            &["cel", "validation", "selector", "shared"][..],
        ),
        // the strategies' warning texts: pure functions over the validation helpers
        ("warnings", &["validation", "shared"][..]),
        ("answer", &["registry"][..]),
        // the switches the server consults; `api` holds them, never the other way
        (
            "faults",
            &["answer", "registry", "storage", "error", "pki", "clock"][..],
        ),
    ] {
        let deps = graph.get(module).cloned().unwrap_or_default();
        let extra: Vec<&String> = deps
            .iter()
            .filter(|d| !allowed.contains(&d.as_str()))
            .collect();
        assert!(extra.is_empty(), "{module} depends on {extra:?}");
    }
}

#[test]
fn no_dead_code_allowances() {
    let root = src();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let rel = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        let attribute = [
            "allow(dead_code",
            "expect(dead_code",
            "allow(\n    dead_code",
        ]
        .iter()
        .any(|a| text.contains(a));
        if attribute && !DEAD_CODE_EXCEPTIONS.contains(&rel.as_str()) {
            found.push(rel);
        }
    }
    assert!(found.is_empty(), "dead-code allowances in {found:?}");
}
