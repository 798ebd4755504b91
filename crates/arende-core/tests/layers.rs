//! The core's modules import each other without a cycle, and only downward through
//! the layers of `docs/architecture.md` (model → aggregates → kernel → policies and read
//! models → forecast). The graph is read from the source: every `crate::<module>` path
//! in a module's files (test code after `#[cfg(test)]` left out) is an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`matter/decide.rs` → `matter`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_owned()
}

/// The modules a piece of source refers to as `crate::<name>`.
fn references(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        // `crate::` inside a longer identifier (e.g. `arende_crate::`) is not a path.
        if code[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(stripped) = rest.strip_prefix('{') {
            // `use crate::{a::X, b};`
            let inner = &stripped[..stripped.find('}').unwrap_or(stripped.len())];
            for part in inner.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// The module graph: module → the modules it refers to.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in all {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Test-only files: the unit tests and the shared test county (`testing.rs`).
        if name == "lib.rs" || matches!(name, "tests.rs" | "proptests.rs" | "testing.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read a source file");
        // Test code (a `#[cfg(test)]` module at the end of a file) may look anywhere.
        let code = match text.find("#[cfg(test)]") {
            Some(i) => &text[..i],
            None => &text[..],
        };
        let code: String = code
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let module = module_of(&src, &file);
        let refs = references(&code);
        let entry = graph.entry(module.clone()).or_default();
        entry.extend(refs.into_iter().filter(|r| *r != module));
    }
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    for refs in graph.values_mut() {
        refs.retain(|r| known.contains(r));
    }
    graph
}

#[test]
fn the_core_has_no_import_cycle() {
    let graph = graph();
    let mut g = DiGraph::<&str, ()>::new();
    let nodes: BTreeMap<&str, _> = graph
        .keys()
        .map(|m| (m.as_str(), g.add_node(m.as_str())))
        .collect();
    for (from, refs) in &graph {
        for to in refs {
            g.add_edge(nodes[from.as_str()], nodes[to.as_str()], ());
        }
    }
    let cycles: Vec<Vec<&str>> = tarjan_scc(&g)
        .into_iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| {
            let mut names: Vec<&str> = scc.iter().map(|n| g[*n]).collect();
            names.sort_unstable();
            names
        })
        .collect();
    let detail: Vec<String> = cycles
        .iter()
        .map(|c| {
            let edges: Vec<String> = c
                .iter()
                .flat_map(|from| {
                    graph[*from]
                        .iter()
                        .filter(|to| c.contains(&to.as_str()))
                        .map(move |to| format!("{from} → {to}"))
                })
                .collect();
            edges.join(", ")
        })
        .collect();
    assert!(
        cycles.is_empty(),
        "import cycles among the core's modules:\n{}",
        detail.join("\n")
    );
}

#[test]
fn references_are_read_from_paths_and_use_lists() {
    let refs = references("use crate::{org::X, ids};\nlet a = crate::route::f(); my_crate::no;");
    let expected: BTreeSet<String> = ["org", "ids", "route"].map(String::from).into();
    assert_eq!(refs, expected);
}
