//! The route as an SVG diagram (ruttdiagram): the core's Graphviz DOT of the route,
//! with the steps done filled green, the current steps outlined thick and filled yellow,
//! laid out and drawn by layout-rs (no hand-placed boxes).

use std::collections::BTreeSet;

use arende_core::ids::StepId;
use arende_core::org::Organisation;
use arende_core::route::Route;
use layout::backends::svg::SVGWriter;
use layout::gv::{DotParser, GraphBuilder};

/// Why a route could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the route {route} cannot be drawn: {reason}")]
pub struct DrawError {
    /// The route.
    pub route: String,
    /// What the DOT parser said.
    pub reason: String,
}

/// Fill of a step already taken.
pub const DONE_FILL: &str = "#cde8d3";
/// Fill of a current step (the matter's position).
pub const CURRENT_FILL: &str = "#ffe08a";

/// The route's DOT with the matter's position marked: `done` steps filled green,
/// `current` steps filled yellow with a thick border.
pub fn marked_dot(
    route: &Route,
    org: &Organisation,
    done: &BTreeSet<StepId>,
    current: &BTreeSet<StepId>,
) -> String {
    let mut dot = route.to_dot(org);
    for step in route.steps() {
        let attrs = if current.contains(&step.id) {
            format!("style=filled, fillcolor=\"{CURRENT_FILL}\", penwidth=3, ")
        } else if done.contains(&step.id) {
            format!("style=filled, fillcolor=\"{DONE_FILL}\", ")
        } else {
            continue;
        };
        let needle = format!("  {} [label=", quote(step.id.as_str()));
        dot = dot.replacen(
            &needle,
            &format!("  {} [{attrs}label=", quote(step.id.as_str())),
            1,
        );
    }
    dot
}

/// Lays out DOT text and draws it as SVG.
pub fn dot_to_svg(route: &str, dot: &str) -> Result<String, DrawError> {
    let mut parser = DotParser::new(dot);
    let graph = parser.process().map_err(|reason| DrawError {
        route: route.to_owned(),
        reason,
    })?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut svg = SVGWriter::new();
    visual.do_it(false, false, false, &mut svg);
    Ok(svg.finalize())
}

/// The route's SVG with the matter's position marked.
pub fn route_svg(
    route: &Route,
    org: &Organisation,
    done: &BTreeSet<StepId>,
    current: &BTreeSet<StepId>,
) -> Result<String, DrawError> {
    dot_to_svg(route.id().as_str(), &marked_dot(route, org, done, current))
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_position_is_marked_and_the_route_drawn() {
        let org = arende_core::config::load_str(
            include_str!("../../../config/orebro.toml"),
            "config/orebro.toml",
        )
        .expect("the Örebro configuration");
        let route = org
            .routes
            .values()
            .find(|r| r.steps().count() >= 3)
            .expect("a route with steps");
        let steps: Vec<StepId> = route.steps().map(|s| s.id.clone()).collect();
        let done: BTreeSet<StepId> = steps.iter().take(1).cloned().collect();
        let current: BTreeSet<StepId> = steps.iter().skip(1).take(1).cloned().collect();
        let dot = marked_dot(route, &org, &done, &current);
        assert_eq!(dot.matches(DONE_FILL).count(), 1, "{dot}");
        assert_eq!(dot.matches(CURRENT_FILL).count(), 1, "{dot}");
        let svg = route_svg(route, &org, &done, &current).expect("drawn");
        assert!(svg.contains("<svg") && svg.contains(DONE_FILL) && svg.contains(CURRENT_FILL));
        assert!(dot_to_svg("broken", "digraph { a -> ; }").is_err());
    }
}
