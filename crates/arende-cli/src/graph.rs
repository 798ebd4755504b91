//! Graphviz DOT and Mermaid renderings of a route, for `arende route --format dot|mermaid`.
//!
//! The core's `Route::to_dot`/`to_mermaid` (branch `config`) are to replace these once
//! merged; until then the CLI renders the graph itself.

use std::fmt::Write as _;

use arende_core::forecast::Lang;
use arende_core::org::Organisation;
use arende_core::route::{Dependency, Route, Step};

use crate::show::body_name;

fn label(org: &Organisation, s: &Step, lang: Lang) -> String {
    let mut l = format!("{}\\n{}", s.name, lang.purpose(s.purpose));
    if let Some(b) = &s.body {
        l.push_str("\\n");
        l.push_str(body_name(org, b));
    }
    l.replace('"', "\\\"")
}

/// The route as a Graphviz DOT digraph.
pub fn dot(org: &Organisation, route: &Route, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", route.id());
    let _ = writeln!(out, "  label=\"{}\";", route.name().replace('"', "\\\""));
    let _ = writeln!(out, "  rankdir=LR;");
    let _ = writeln!(out, "  node [shape=box];");
    for s in route.steps() {
        let _ = writeln!(out, "  \"{}\" [label=\"{}\"];", s.id, label(org, s, lang));
    }
    for (a, b, dep) in route.edges() {
        let style = match dep {
            Dependency::Decision => "",
            Dependency::SameProposal => " [style=dashed]",
        };
        let _ = writeln!(out, "  \"{a}\" -> \"{b}\"{style};");
    }
    out.push_str("}\n");
    out
}

/// A Mermaid node id: letters, digits and underscores only.
fn mermaid_id(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The route as a Mermaid flowchart.
pub fn mermaid(org: &Organisation, route: &Route, lang: Lang) -> String {
    let mut out = String::from("flowchart LR\n");
    for s in route.steps() {
        let text = label(org, s, lang)
            .replace("\\n", "<br/>")
            .replace("\\\"", "#quot;");
        let _ = writeln!(out, "  {}[\"{text}\"]", mermaid_id(s.id.as_str()));
    }
    for (a, b, dep) in route.edges() {
        let arrow = match dep {
            Dependency::Decision => "-->",
            Dependency::SameProposal => "-.->",
        };
        let _ = writeln!(
            out,
            "  {} {arrow} {}",
            mermaid_id(a.as_str()),
            mermaid_id(b.as_str())
        );
    }
    out
}
