//! Routes (beslutsvägar): directed acyclic graphs of steps a matter follows, from
//! drafting through preparation, consultation, readiness checks and decision to the
//! political decision in each party, entry into force and follow-up.
//!
//! The graph is a petgraph `DiGraph`, kept private: the public face uses our own ids.

use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};

use crate::ids::{BodyId, PartyId, RouteId, StepId};
use crate::terms::{LeadTime, Mandate};

/// What a step is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// Drafting by a working group (framtagande av underlag).
    Drafting,
    /// Information (dragning, för kännedom).
    Information,
    /// Preparation (beredning).
    Preparation,
    /// Consultation (remiss) with a response period.
    Consultation,
    /// Readiness check (ställningstagande om parterna är redo för beslutsprocess).
    ReadinessCheck,
    /// Decision within mandate (beslut).
    Decision,
    /// Recommendation to the parties (rekommendation).
    Recommendation,
    /// Political decision in each party, in parallel (politisk beslutsprocess).
    PoliticalDecision,
    /// Entry into force (ikraftträdande).
    EntryIntoForce,
    /// Follow-up (uppföljning).
    FollowUp,
}

impl Purpose {
    /// The mandate a body needs for a step with this purpose, if any.
    pub fn required_mandate(self) -> Option<Mandate> {
        match self {
            Purpose::Drafting => Some(Mandate::Draft),
            Purpose::Information => Some(Mandate::Inform),
            Purpose::Preparation => Some(Mandate::Prepare),
            Purpose::Consultation => Some(Mandate::Consult),
            Purpose::ReadinessCheck => Some(Mandate::ReadinessCheck),
            Purpose::Decision => Some(Mandate::Decide),
            Purpose::Recommendation => Some(Mandate::Recommend),
            Purpose::PoliticalDecision => Some(Mandate::PoliticalDecision),
            Purpose::EntryIntoForce | Purpose::FollowUp => None,
        }
    }

    /// The configuration name, e.g. `readiness-check`.
    pub fn name(self) -> &'static str {
        match self {
            Purpose::Drafting => "drafting",
            Purpose::Information => "information",
            Purpose::Preparation => "preparation",
            Purpose::Consultation => "consultation",
            Purpose::ReadinessCheck => "readiness-check",
            Purpose::Decision => "decision",
            Purpose::Recommendation => "recommendation",
            Purpose::PoliticalDecision => "political-decision",
            Purpose::EntryIntoForce => "entry-into-force",
            Purpose::FollowUp => "follow-up",
        }
    }

    /// The Swedish term.
    pub fn swedish(self) -> &'static str {
        match self {
            Purpose::Drafting => "framtagande",
            Purpose::Information => "information",
            Purpose::Preparation => "beredning",
            Purpose::Consultation => "remiss",
            Purpose::ReadinessCheck => "ställningstagande om beslutsberedskap",
            Purpose::Decision => "beslut",
            Purpose::Recommendation => "rekommendation till parterna",
            Purpose::PoliticalDecision => "politiskt beslut i varje part",
            Purpose::EntryIntoForce => "ikraftträdande",
            Purpose::FollowUp => "uppföljning",
        }
    }

    /// Whether a step with this purpose is taken at a meeting of its body.
    pub fn needs_meeting(self) -> bool {
        !matches!(
            self,
            Purpose::Drafting | Purpose::Consultation | Purpose::EntryIntoForce
        )
    }
}

/// How a step depends on its predecessor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Dependency {
    /// Needs the predecessor's decision: waits until those minutes are final.
    #[default]
    Decision,
    /// Confirms readiness on the same final proposal: may be called before the
    /// predecessor has met, but meets after it.
    SameProposal,
}

/// Consultation (remiss) details of a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationSpec {
    /// Who is consulted: parties (empty = every signatory party).
    pub recipients: Vec<PartyId>,
    /// How long the recipients have to answer.
    pub period: LeadTime,
    /// Time to work the responses in, after the deadline.
    pub processing: LeadTime,
}

/// A step of a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The id, unique within the route, e.g. `kcrd-forward`.
    pub id: StepId,
    /// A readable name.
    pub name: String,
    /// What the step is for.
    pub purpose: Purpose,
    /// The body (or joint session) that takes the step; `None` for steps not taken at a
    /// body (entry into force; a political decision, taken at each party's own body).
    pub body: Option<BodyId>,
    /// For a political decision: the parties that decide (empty = every signatory).
    pub parties: Vec<PartyId>,
    /// For a consultation: who and how long.
    pub consultation: Option<ConsultationSpec>,
    /// For entry into force: how many adoptions are needed (`None` = all parties).
    pub quorum: Option<u32>,
}

/// A problem building a route graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteProblem {
    /// Two steps share an id.
    DuplicateStep(StepId),
    /// An edge names a step that does not exist.
    UnknownStep(StepId),
    /// The steps form a cycle through this step (the first declared step of the cycle).
    Cycle(StepId),
    /// This step cannot be reached from the route's first step.
    Unreachable(StepId),
    /// The route has no first step: it is empty (a route whose every step has a
    /// predecessor is reported as a [`RouteProblem::Cycle`]).
    NoSingleStart(Vec<StepId>),
}

/// A route: a DAG of steps with one start.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "RouteDef", try_from = "RouteDef")]
pub struct Route {
    id: RouteId,
    name: String,
    graph: DiGraph<Step, Dependency>,
    index: crate::ids::FastMap<StepId, NodeIndex>,
    topo: Vec<NodeIndex>,
}

/// The plain form of a route: steps and edges.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RouteDef {
    /// The id.
    pub id: RouteId,
    /// The name.
    pub name: String,
    /// The steps.
    pub steps: Vec<Step>,
    /// The edges: from, to, dependency.
    pub edges: Vec<(StepId, StepId, Dependency)>,
}

impl From<Route> for RouteDef {
    fn from(r: Route) -> Self {
        let steps = r.steps().cloned().collect();
        let edges = r
            .edges()
            .map(|(a, b, d)| (a.clone(), b.clone(), d))
            .collect();
        RouteDef {
            id: r.id,
            name: r.name,
            steps,
            edges,
        }
    }
}

impl TryFrom<RouteDef> for Route {
    type Error = String;
    fn try_from(d: RouteDef) -> Result<Self, String> {
        Route::new(d.id, d.name, d.steps, d.edges).map_err(|p| format!("{p:?}"))
    }
}

impl Route {
    /// Builds a route from steps and edges, checking that it is a DAG with one start from
    /// which every step is reachable. Reports every problem found.
    pub fn new(
        id: RouteId,
        name: String,
        steps: Vec<Step>,
        edges: Vec<(StepId, StepId, Dependency)>,
    ) -> Result<Route, Vec<RouteProblem>> {
        let mut problems = Vec::new();
        let mut graph = DiGraph::new();
        let mut index = crate::ids::FastMap::default();
        for s in steps {
            let sid = s.id.clone();
            if index.contains_key(&sid) {
                problems.push(RouteProblem::DuplicateStep(sid));
                continue;
            }
            let n = graph.add_node(s);
            index.insert(sid, n);
        }
        for (a, b, dep) in edges {
            match (index.get(&a), index.get(&b)) {
                (Some(&x), Some(&y)) => {
                    graph.add_edge(x, y, dep);
                }
                (None, _) => problems.push(RouteProblem::UnknownStep(a)),
                (_, None) => problems.push(RouteProblem::UnknownStep(b)),
            }
        }
        let topo = match petgraph::algo::toposort(&graph, None) {
            Ok(t) => t,
            Err(_) => {
                // Report each cycle once, at its first declared step.
                let mut cycles: Vec<NodeIndex> = petgraph::algo::tarjan_scc(&graph)
                    .into_iter()
                    .filter(|scc| scc.len() > 1 || graph.contains_edge(scc[0], scc[0]))
                    .filter_map(|scc| scc.into_iter().min())
                    .collect();
                cycles.sort();
                for n in cycles {
                    problems.push(RouteProblem::Cycle(graph[n].id.clone()));
                }
                Vec::new()
            }
        };
        // The first step is the first declared step without predecessors; every other
        // step must be reachable from it (a second step without predecessors is
        // reported as unreachable, which is what a process lead needs to fix).
        let starts: Vec<NodeIndex> = graph
            .node_indices()
            .filter(|&n| {
                graph
                    .neighbors_directed(n, petgraph::Direction::Incoming)
                    .next()
                    .is_none()
            })
            .collect();
        match starts.first() {
            Some(&start) => {
                let mut dfs = petgraph::visit::Dfs::new(&graph, start);
                let mut seen = std::collections::HashSet::new();
                while let Some(n) = dfs.next(&graph) {
                    seen.insert(n);
                }
                for n in graph.node_indices() {
                    if !seen.contains(&n) {
                        problems.push(RouteProblem::Unreachable(graph[n].id.clone()));
                    }
                }
            }
            None if problems.is_empty() => problems.push(RouteProblem::NoSingleStart(Vec::new())),
            None => {}
        }
        if problems.is_empty() {
            Ok(Route {
                id,
                name,
                graph,
                index,
                topo,
            })
        } else {
            Err(problems)
        }
    }

    /// The id.
    pub fn id(&self) -> &RouteId {
        &self.id
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The steps in topological order (every step after all its predecessors).
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.topo.iter().map(|&n| &self.graph[n])
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Whether the route has no steps (never true for a validated route).
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// A step by id.
    pub fn step(&self, id: &StepId) -> Option<&Step> {
        self.index.get(id).map(|&n| &self.graph[n])
    }

    /// The first step.
    pub fn first(&self) -> &Step {
        &self.graph[self.topo[0]]
    }

    /// The step's position in topological order (for dense per-step arrays).
    pub fn position(&self, id: &StepId) -> Option<usize> {
        let n = self.index.get(id)?;
        self.topo.iter().position(|x| x == n)
    }

    /// The direct predecessors of a step, with how it depends on each.
    pub fn predecessors(&self, id: &StepId) -> Vec<(&Step, Dependency)> {
        self.neighbours(id, petgraph::Direction::Incoming)
    }

    /// The direct successors of a step, with how each depends on it.
    pub fn successors(&self, id: &StepId) -> Vec<(&Step, Dependency)> {
        self.neighbours(id, petgraph::Direction::Outgoing)
    }

    /// The direct predecessors of a step in no particular order, without collecting
    /// them (for checks that ask whether all or any of them hold).
    pub(crate) fn predecessors_unordered(
        &self,
        id: &StepId,
    ) -> impl Iterator<Item = (&Step, Dependency)> {
        use petgraph::visit::EdgeRef;
        self.index.get(id).into_iter().flat_map(move |&n| {
            self.graph
                .edges_directed(n, petgraph::Direction::Incoming)
                .map(move |e| (&self.graph[e.source()], *e.weight()))
        })
    }

    fn neighbours(&self, id: &StepId, dir: petgraph::Direction) -> Vec<(&Step, Dependency)> {
        use petgraph::visit::EdgeRef;
        let Some(&n) = self.index.get(id) else {
            return Vec::new();
        };
        let mut out: Vec<(&Step, Dependency)> = self
            .graph
            .edges_directed(n, dir)
            .map(|e| {
                let other = if dir == petgraph::Direction::Incoming {
                    e.source()
                } else {
                    e.target()
                };
                (&self.graph[other], *e.weight())
            })
            .collect();
        out.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        out
    }

    /// Every edge: from, to, dependency.
    pub fn edges(&self) -> impl Iterator<Item = (&StepId, &StepId, Dependency)> {
        use petgraph::visit::EdgeRef;
        self.graph.edge_references().map(|e| {
            (
                &self.graph[e.source()].id,
                &self.graph[e.target()].id,
                *e.weight(),
            )
        })
    }
}

impl Dependency {
    /// The Swedish term, for exported graphs.
    pub fn swedish(self) -> &'static str {
        match self {
            Dependency::Decision => "efter beslut",
            Dependency::SameProposal => "samma förslag",
        }
    }
}

/// What the graph exports need to know of the organisation (the organisation
/// implements it): kept as a trait so that routes sit below the organisation.
pub trait BodyNames {
    /// A body's name, if the body is known.
    fn body_name(&self, body: &BodyId) -> Option<&str>;
    /// How many parties sign (decide at a political step without a list of parties).
    fn signatory_count(&self) -> usize;
}

/// Graph exports: Graphviz DOT and Mermaid, with body names as labels, purposes in
/// Swedish, and the dependency kind as the edge style (solid = waits for the decision,
/// dashed = readiness on the same proposal).
impl Route {
    /// The text shown in a step's box: its name, its purpose in Swedish, and who takes
    /// it (the body's name, or the deciding parties for a political decision).
    fn label_lines(&self, step: &Step, org: &impl BodyNames) -> Vec<String> {
        let mut lines = vec![step.name.clone(), format!("({})", step.purpose.swedish())];
        if let Some(body) = &step.body {
            lines.push(
                org.body_name(body)
                    .map_or_else(|| body.to_string(), str::to_owned),
            );
        }
        if step.purpose == Purpose::PoliticalDecision {
            let n = if step.parties.is_empty() {
                org.signatory_count()
            } else {
                step.parties.len()
            };
            lines.push(format!("{n} parter, var för sig"));
        }
        if let Some(c) = &step.consultation {
            lines.push(format!("svarstid {}", c.period.swedish()));
        }
        lines
    }

    /// The route as a Graphviz DOT digraph. Node ids are the step ids.
    pub fn to_dot(&self, org: &impl BodyNames) -> String {
        fn quote(s: &str) -> String {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        let mut out = format!("digraph {} {{\n", quote(self.id.as_str()));
        out.push_str(&format!(
            "  label={};\n  labelloc=t;\n  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
            quote(&self.name)
        ));
        for step in self.steps() {
            let label = self.label_lines(step, org).join("\n");
            let shape = match step.purpose {
                Purpose::PoliticalDecision => ", peripheries=2",
                Purpose::EntryIntoForce => ", shape=oval",
                _ => "",
            };
            out.push_str(&format!(
                "  {} [label={}{}];\n",
                quote(step.id.as_str()),
                quote(&label),
                shape
            ));
        }
        for (from, to, dep) in self.sorted_edges() {
            let style = match dep {
                Dependency::Decision => "solid",
                Dependency::SameProposal => "dashed",
            };
            out.push_str(&format!(
                "  {} -> {} [style={}, label={}];\n",
                quote(from.as_str()),
                quote(to.as_str()),
                style,
                quote(dep.swedish())
            ));
        }
        out.push_str("}\n");
        out
    }

    /// The route as a Mermaid flowchart. Node ids are `s0`, `s1`, … in topological
    /// order (Mermaid ids cannot hold every character a step id may); each node's
    /// label starts with the step id in brackets.
    pub fn to_mermaid(&self, org: &impl BodyNames) -> String {
        fn text(s: &str) -> String {
            s.replace('"', "#quot;")
        }
        let node = |id: &StepId| format!("s{}", self.position(id).unwrap_or(0));
        let mut out = format!("---\ntitle: {}\n---\nflowchart TD\n", text(&self.name));
        for step in self.steps() {
            let mut lines = vec![format!("[{}]", step.id)];
            lines.extend(self.label_lines(step, org));
            let label = lines
                .iter()
                .map(|l| text(l))
                .collect::<Vec<_>>()
                .join("<br/>");
            let (open, close) = match step.purpose {
                Purpose::PoliticalDecision => ("[[", "]]"),
                Purpose::EntryIntoForce => ("([", "])"),
                _ => ("[", "]"),
            };
            out.push_str(&format!(
                "    {}{}\"{}\"{}\n",
                node(&step.id),
                open,
                label,
                close
            ));
        }
        for (from, to, dep) in self.sorted_edges() {
            let arrow = match dep {
                Dependency::Decision => format!("-- {} -->", dep.swedish()),
                Dependency::SameProposal => format!("-. {} .->", dep.swedish()),
            };
            out.push_str(&format!("    {} {} {}\n", node(from), arrow, node(to)));
        }
        out
    }

    /// The edges in a stable order: by the topological position of their ends.
    fn sorted_edges(&self) -> Vec<(&StepId, &StepId, Dependency)> {
        let mut edges: Vec<_> = self.edges().collect();
        edges.sort_by_key(|(a, b, _)| (self.position(a), self.position(b)));
        edges
    }
}
