//! Templates a region can replace: a registry keyed by (kind, language) with built-in
//! Swedish and English defaults, overridable by TOML the caller loads.
//!
//! # Syntax
//! A small, logic-less syntax, chosen over a general template engine because templates
//! come from configuration files edited by process leads: nothing in them can run code,
//! loop without end or read anything but the named facts of one notification.
//! - `{{name}}` inserts a value. Names are fixed (see [`VARIABLES`]) plus
//!   `details.KEY` for any key of [`Notification::details`]; an unknown name is an
//!   error when the template is loaded, not when a message is sent.
//! - A line whose placeholders are all empty or missing is left out, so optional facts
//!   need no markup: `Plats: {{location}}` disappears when there is no location.
//! - `{{#name}}` … `{{/name}}`, each on its own line, keep the lines between them only
//!   when `name` has a value (for a heading above a list); `{{^name}}` … `{{/name}}`
//!   keep them only when it has none. Flags such as `revised` or `cancelled` have a
//!   value when they hold.
//! - In the HTML part every inserted value is HTML-escaped; lists become `<ol>`/`<ul>`.
//!   The template's own text is trusted (it is the region's markup).
//!
//! # Override file
//! ```toml
//! [notice.sv]
//! subject = "Kallelse: {{body}} {{meeting_date}}"
//! text = """
//! Du kallas till {{body}} {{meeting_weekday}} {{meeting_date}} kl. {{meeting_time}}.
//! """
//! # html is optional: without it the HTML part is the text, escaped, in paragraphs.
//!
//! # Phrases: the sentences and words inside messages (what happened to a matter, an
//! # agenda item's kind), one per key, each in sv and en. Their lines are joined by a
//! # space, so a line whose value is missing drops out of the sentence.
//! [phrase.decided]
//! sv = """
//! {{body}} har beslutat: {{clauses}}.
//! Ärendet går vidare till {{next}}.
//! """
//! en = "{{body}} has decided: {{clauses}}."
//! ```
//! Every key in [`PHRASES`] has a built-in text; a file may replace any of them.
//!
//! [`Notification::details`]: arende_core::notification::Notification::details

use std::collections::BTreeMap;

use arende_core::notification::{Language, NotificationKind};

/// The names a template may use (besides `details.KEY`).
pub const VARIABLES: &[&str] = &[
    "id",
    "tenant",
    "kind",
    "summary",
    "body",
    "meeting_date",
    "meeting_weekday",
    "meeting_time",
    "location",
    "date",
    "deadline",
    "submit_by",
    "documents_by",
    "matter_title",
    "agenda",
    "documents",
    "expected",
    "outcome",
    "paragraph",
    "assignment_title",
    "reply_to",
    "recipients",
    // Notices: what changed, who stands in.
    "revised",
    "meeting_change",
    "moved",
    "cancelled",
    "previous_date",
    "previous_weekday",
    "previous_time",
    "previous_location",
    "substitutes",
    // Feedback about an item dropped at a meeting.
    "next_meeting_date",
    "next_meeting_weekday",
    "next_meeting_time",
    "next_meeting_location",
    // Minutes.
    "protocol",
    "adjusted_on",
    "adjusted_by",
    // Minutes sent back: who declined, when, what must change, which round.
    "declined_on",
    "declined_by",
    "comments",
    "round",
    // Assignments and consultations.
    "assignee",
    "working_group",
    "receivers",
    "edition",
    // In phrases: the facts of one change, agenda item or substitute.
    "title",
    "agenda_kind",
    "time_box",
    "next",
    "to",
    "route",
    "party",
    "on",
    "text",
    "count",
    "clauses",
    "step",
    "substitute",
    "member",
];

/// The phrases a template file may set (`[phrase.KEY]`): one per kind of change to a
/// matter (feedback), the summary of every other kind, and the words for the facts'
/// typed values.
pub const PHRASES: &[&str] = &[
    // What happened to a matter (feedback), one per change.
    "submitted",
    "screened-as-information",
    "accepted-for-handling",
    "redirected",
    "answered-directly",
    "scheduled",
    "presented",
    "prepared",
    "remiss-sent",
    "responses-worked-in",
    "direction-decided",
    "recommended",
    "ready",
    "not-ready",
    "decided",
    "rejected",
    "forwarded-to-political",
    "referred-back",
    "tabled",
    "dropped",
    "withdrawn",
    "filed",
    "escalated",
    "party-adopted",
    "party-rejected",
    "concluded-decided-within-mandate",
    "concluded-adopted",
    "concluded-partially-adopted",
    "concluded-rejected",
    "entered-into-force",
    "followed-up",
    "revised",
    "extended",
    "assignment-reported",
    // The summary of the other kinds.
    "summary-call-for-matters",
    "summary-notice",
    "summary-minutes-distributed",
    "summary-minutes-declined",
    "summary-remiss-sent",
    "summary-remiss-reminder",
    "summary-assignment-given",
    "summary-working-group-formed",
    "summary-assignment-due",
    "summary-date-due-adjustment",
    "summary-date-due-announcement",
    "summary-date-due-follow-up",
    "summary-date-due-valid-until",
    // Words and lines for typed values.
    "agenda-information",
    "agenda-discussion",
    "agenda-decision",
    "agenda-item",
    "lack-of-time",
    "adjusted-email",
    "adjusted-at-meeting",
    "adjusted-signature",
    "adjusted-electronic-signature",
    "substitute",
];

/// Every notification kind, for checking that templates cover them all.
pub const KINDS: [NotificationKind; 10] = NotificationKind::ALL;

/// A kind by its outbox name (`notice`, `call-for-matters`, …).
pub fn kind_from_name(name: &str) -> Option<NotificationKind> {
    NotificationKind::from_name(name)
}

/// A value to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text (may span lines).
    Text(String),
    /// A numbered list (an agenda): (number, text), numbers as given.
    Numbered(Vec<(u32, String)>),
    /// A bulleted list (documents).
    Bulleted(Vec<String>),
    /// A flag that holds (for sections); inserts nothing.
    Flag,
}

impl Value {
    fn is_empty(&self) -> bool {
        match self {
            Value::Text(t) => t.trim().is_empty(),
            Value::Numbered(v) => v.is_empty(),
            Value::Bulleted(v) => v.is_empty(),
            Value::Flag => false,
        }
    }
}

/// The values a template is rendered with.
pub type Context = BTreeMap<String, Value>;

/// A template that cannot be loaded, with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template {place}, line {line}, column {column}: {message}")]
pub struct TemplateError {
    /// Which template part, e.g. `notice.sv.text`.
    pub place: String,
    /// 1-based line within the part (0 when it concerns the whole part).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Every problem found in a template file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} template problem(s):{}", .0.len(), .0.iter().map(|e| format!("\n  {e}")).collect::<String>())]
pub struct TemplateErrors(pub Vec<TemplateError>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Lit(String),
    Var(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Line(Vec<Segment>),
    Section(String, Vec<Node>),
    Inverted(String, Vec<Node>),
}

/// One parsed template part (subject, text or HTML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateText {
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Subject,
    Text,
    Html,
}

fn known(name: &str) -> bool {
    VARIABLES.contains(&name)
        || name.strip_prefix("details.").is_some_and(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

fn parse_line(
    place: &str,
    lineno: usize,
    line: &str,
    errors: &mut Vec<TemplateError>,
) -> Vec<Segment> {
    let mut segs = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            segs.push(Segment::Lit(rest[..open].to_owned()));
        }
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            errors.push(TemplateError {
                place: place.to_owned(),
                line: lineno,
                column: rest_offset(line, rest) + open + 1,
                message: "\"{{\" is not closed by \"}}\"".into(),
            });
            return segs;
        };
        let name = after[..close].trim();
        if !known(name) {
            errors.push(TemplateError {
                place: place.to_owned(),
                line: lineno,
                column: rest_offset(line, rest) + open + 1,
                message: format!(
                    "unknown placeholder \"{name}\": use one of {} or details.KEY",
                    VARIABLES.join(", ")
                ),
            });
        } else {
            segs.push(Segment::Var(name.to_owned()));
        }
        let consumed = open + 2 + close + 2;
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        segs.push(Segment::Lit(rest.to_owned()));
    }
    segs
}

/// The byte offset of `rest` within `line` (both from the same string).
fn rest_offset(line: &str, rest: &str) -> usize {
    line.len() - rest.len()
}

impl TemplateText {
    /// Parses a template part; `place` names it in errors (e.g. `notice.sv.text`).
    pub fn parse(place: &str, source: &str) -> Result<TemplateText, TemplateErrors> {
        let mut errors = Vec::new();
        // A stack of open sections: (name, inverted, nodes, line opened).
        let mut stack: Vec<(String, bool, Vec<Node>, usize)> =
            vec![(String::new(), false, Vec::new(), 0)];
        for (i, line) in source.lines().enumerate() {
            let lineno = i + 1;
            let t = line.trim();
            let open = t
                .strip_prefix("{{#")
                .map(|r| (r, false))
                .or_else(|| t.strip_prefix("{{^").map(|r| (r, true)));
            if let Some((name, inverted)) =
                open.and_then(|(r, inv)| r.strip_suffix("}}").map(|n| (n, inv)))
            {
                let name = name.trim();
                if !known(name) {
                    errors.push(TemplateError {
                        place: place.to_owned(),
                        line: lineno,
                        column: 1,
                        message: format!("unknown section \"{name}\""),
                    });
                }
                stack.push((name.to_owned(), inverted, Vec::new(), lineno));
                continue;
            }
            if let Some(name) = t.strip_prefix("{{/").and_then(|r| r.strip_suffix("}}")) {
                let name = name.trim();
                if stack.len() < 2 || stack.last().is_some_and(|s| s.0 != name) {
                    errors.push(TemplateError {
                        place: place.to_owned(),
                        line: lineno,
                        column: 1,
                        message: format!("\"{{{{/{name}}}}}\" closes no open section \"{name}\""),
                    });
                    continue;
                }
                if let Some((n, inverted, nodes, _)) = stack.pop()
                    && let Some(parent) = stack.last_mut()
                {
                    parent.2.push(if inverted {
                        Node::Inverted(n, nodes)
                    } else {
                        Node::Section(n, nodes)
                    });
                }
                continue;
            }
            let segs = parse_line(place, lineno, line, &mut errors);
            if let Some(top) = stack.last_mut() {
                top.2.push(Node::Line(segs));
            }
        }
        while stack.len() > 1 {
            if let Some((name, _, _, opened)) = stack.pop() {
                errors.push(TemplateError {
                    place: place.to_owned(),
                    line: opened,
                    column: 1,
                    message: format!("section \"{name}\" is not closed by \"{{{{/{name}}}}}\""),
                });
            }
        }
        if !errors.is_empty() {
            return Err(TemplateErrors(errors));
        }
        let nodes = stack.pop().map(|s| s.2).unwrap_or_default();
        Ok(TemplateText { nodes })
    }

    /// Renders a phrase: its lines (those whose values are all there) joined by a
    /// space, as plain text.
    pub fn render_inline(&self, ctx: &Context) -> String {
        let mut out = Vec::new();
        render_nodes(&self.nodes, ctx, Mode::Text, &mut out);
        out.iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn render(&self, ctx: &Context, mode: Mode) -> String {
        let mut out = Vec::new();
        render_nodes(&self.nodes, ctx, mode, &mut out);
        let sep = if mode == Mode::Subject { " " } else { "\n" };
        let joined = out.join(sep);
        if mode == Mode::Subject {
            joined.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            joined
        }
    }
}

fn render_nodes(nodes: &[Node], ctx: &Context, mode: Mode, out: &mut Vec<String>) {
    for node in nodes {
        match node {
            Node::Section(name, inner) => {
                if ctx.get(name).is_some_and(|v| !v.is_empty()) {
                    render_nodes(inner, ctx, mode, out);
                }
            }
            Node::Inverted(name, inner) => {
                if ctx.get(name).is_none_or(Value::is_empty) {
                    render_nodes(inner, ctx, mode, out);
                }
            }
            Node::Line(segs) => {
                let mut line = String::new();
                let mut missing = false;
                for s in segs {
                    match s {
                        Segment::Lit(t) => line.push_str(t),
                        Segment::Var(name) => match ctx.get(name) {
                            Some(v) if !v.is_empty() => line.push_str(&format_value(v, mode)),
                            _ => missing = true,
                        },
                    }
                }
                if !missing {
                    out.push(line);
                }
            }
        }
    }
}

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn format_value(v: &Value, mode: Mode) -> String {
    match (v, mode) {
        (Value::Text(t), Mode::Subject) => t.replace(['\n', '\r'], " "),
        (Value::Text(t), Mode::Text) => t.clone(),
        (Value::Text(t), Mode::Html) => escape_html(t).replace('\n', "<br>\n"),
        (Value::Numbered(items), Mode::Text) => items
            .iter()
            .map(|(n, x)| format!("{n}. {x}"))
            .collect::<Vec<_>>()
            .join("\n"),
        (Value::Bulleted(items), Mode::Text) => items
            .iter()
            .map(|x| format!("- {x}"))
            .collect::<Vec<_>>()
            .join("\n"),
        (Value::Numbered(items), Mode::Html) => format!(
            "<ol>{}</ol>",
            items
                .iter()
                .map(|(n, x)| format!("<li value=\"{n}\">{}</li>", escape_html(x)))
                .collect::<String>()
        ),
        (Value::Bulleted(items), Mode::Html) => format!(
            "<ul>{}</ul>",
            items
                .iter()
                .map(|x| format!("<li>{}</li>", escape_html(x)))
                .collect::<String>()
        ),
        (Value::Numbered(items), Mode::Subject) => items
            .iter()
            .map(|(_, x)| x.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        (Value::Bulleted(items), Mode::Subject) => items.join(", "),
        (Value::Flag, _) => String::new(),
    }
}

/// The three parts of a message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    subject: TemplateText,
    text: TemplateText,
    html: Option<TemplateText>,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RenderedText {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

impl Template {
    /// Parses a template's parts; `place` names it in errors (e.g. `notice.sv`).
    pub fn parse(
        place: &str,
        subject: &str,
        text: &str,
        html: Option<&str>,
    ) -> Result<Template, TemplateErrors> {
        let mut errors = Vec::new();
        let s = TemplateText::parse(&format!("{place}.subject"), subject);
        let t = TemplateText::parse(&format!("{place}.text"), text);
        let h = html.map(|h| TemplateText::parse(&format!("{place}.html"), h));
        let mut take = |r: Result<TemplateText, TemplateErrors>| match r {
            Ok(t) => Some(t),
            Err(e) => {
                errors.extend(e.0);
                None
            }
        };
        let s = take(s);
        let t = take(t);
        let h = h.map(&mut take);
        match (s, t, h) {
            (Some(subject), Some(text), None) => Ok(Template {
                subject,
                text,
                html: None,
            }),
            (Some(subject), Some(text), Some(Some(html))) => Ok(Template {
                subject,
                text,
                html: Some(html),
            }),
            _ => Err(TemplateErrors(errors)),
        }
    }

    /// Renders the template with `ctx`.
    pub fn render(&self, ctx: &Context) -> RenderedText {
        let subject = self.subject.render(ctx, Mode::Subject);
        let text = tidy(&self.text.render(ctx, Mode::Text));
        let html = match &self.html {
            Some(h) => h.render(ctx, Mode::Html),
            None => html_from_text(&self.text.render(ctx, Mode::Html)),
        };
        RenderedText {
            subject,
            text,
            html,
        }
    }
}

/// Collapses runs of blank lines (left by omitted lines) and trims the ends.
fn tidy(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines() {
        let blank = line.trim().is_empty();
        if blank && out.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        out.push(line.trim_end());
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// An HTML document from a text body rendered in HTML mode (values already escaped):
/// blank lines separate paragraphs, single newlines become `<br>`.
fn html_from_text(rendered: &str) -> String {
    let tidied = tidy(rendered);
    let paragraphs: Vec<String> = tidied
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let p = p.trim();
            if p.starts_with("<ol>") || p.starts_with("<ul>") {
                p.to_owned()
            } else {
                format!(
                    "<p>{}</p>",
                    p.replace("<br>\n", "<br>").replace('\n', "<br>\n")
                )
            }
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n{}\n</body></html>\n",
        paragraphs.join("\n")
    )
}

/// The built-in templates (Swedish and English for every kind), in the override format.
pub const BUILTIN: &str = include_str!("templates.toml");

/// The template registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    map: BTreeMap<(NotificationKind, Language), Template>,
    phrases: BTreeMap<(&'static str, Language), TemplateText>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateSource {
    subject: String,
    text: String,
    html: Option<String>,
}

impl Templates {
    /// An empty registry (every lookup fails until templates are loaded).
    pub fn empty() -> Self {
        Templates {
            map: BTreeMap::new(),
            phrases: BTreeMap::new(),
        }
    }

    /// The built-in Swedish and English templates.
    pub fn builtin() -> Self {
        let mut t = Templates::empty();
        // BUILTIN is part of the crate and checked by the tests below; should it ever
        // fail to load, the registry is left without the broken parts rather than
        // panicking, and rendering reports the missing template.
        let _ = t.load_toml(BUILTIN);
        t
    }

    /// The built-in templates with a tenant's override file laid over them (the same
    /// TOML form as [`BUILTIN`]; what it does not name stays built in).
    pub fn with_overrides(source: &str) -> Result<Self, TemplateErrors> {
        let mut t = Templates::builtin();
        t.load_toml(source)?;
        Ok(t)
    }

    /// The template for a kind in a language, falling back to Swedish.
    pub fn get(&self, kind: NotificationKind, language: Language) -> Option<&Template> {
        self.map
            .get(&(kind, language))
            .or_else(|| self.map.get(&(kind, Language::Swedish)))
    }

    /// The phrase `key` (one of [`PHRASES`]) in a language, falling back to Swedish.
    pub fn phrase(&self, key: &str, language: Language) -> Option<&TemplateText> {
        let key = PHRASES.iter().find(|k| **k == key)?;
        self.phrases
            .get(&(*key, language))
            .or_else(|| self.phrases.get(&(*key, Language::Swedish)))
    }

    /// Sets (replaces) one template.
    pub fn set(&mut self, kind: NotificationKind, language: Language, template: Template) {
        self.map.insert((kind, language), template);
    }

    /// Loads templates and phrases from TOML (see the module docs), replacing those it
    /// names. Either everything in the file is loaded or nothing is; the error lists
    /// every problem. Returns how many templates and phrases were loaded.
    pub fn load_toml(&mut self, source: &str) -> Result<usize, TemplateErrors> {
        let err = |place: &str, message: String| TemplateError {
            place: place.to_owned(),
            line: 0,
            column: 0,
            message,
        };
        let file_error = |e: toml::de::Error| {
            let (line, column) = e
                .span()
                .map(|s| line_col(source, s.start))
                .unwrap_or((0, 0));
            TemplateErrors(vec![TemplateError {
                place: "file".into(),
                line,
                column,
                message: e.message().to_owned(),
            }])
        };
        let mut table: BTreeMap<String, toml::Value> =
            toml::from_str(source).map_err(file_error)?;
        let mut errors = Vec::new();
        let mut loaded = Vec::new();
        let mut phrases = Vec::new();
        if let Some(p) = table.remove("phrase") {
            match p.try_into::<BTreeMap<String, BTreeMap<String, String>>>() {
                Ok(p) => {
                    for (key, langs) in &p {
                        let Some(known) = PHRASES.iter().find(|k| *k == key) else {
                            errors.push(err(
                                &format!("phrase.{key}"),
                                format!(
                                    "unknown phrase \"{key}\": use one of {}",
                                    PHRASES.join(", ")
                                ),
                            ));
                            continue;
                        };
                        for (lang_code, src) in langs {
                            let place = format!("phrase.{key}.{lang_code}");
                            let Some(lang) = Language::from_code(lang_code) else {
                                errors.push(err(
                                    &place,
                                    format!("unknown language \"{lang_code}\": use sv or en"),
                                ));
                                continue;
                            };
                            match TemplateText::parse(&place, src) {
                                Ok(t) => phrases.push((*known, lang, t)),
                                Err(e) => errors.extend(e.0),
                            }
                        }
                    }
                }
                Err(e) => errors.push(err(
                    "phrase",
                    format!("phrases are tables of sv and en texts: {}", e.message()),
                )),
            }
        }
        for (kind_name, value) in table {
            let Some(kind) = kind_from_name(&kind_name) else {
                errors.push(err(
                    &kind_name,
                    format!(
                        "unknown notification kind \"{kind_name}\": use one of {} (or phrase)",
                        KINDS.map(|k| k.name()).join(", ")
                    ),
                ));
                continue;
            };
            let langs: BTreeMap<String, TemplateSource> = match value.try_into() {
                Ok(l) => l,
                Err(e) => {
                    errors.push(err(&kind_name, e.message().to_owned()));
                    continue;
                }
            };
            for (lang_code, src) in &langs {
                let place = format!("{kind_name}.{lang_code}");
                let Some(lang) = Language::from_code(lang_code) else {
                    errors.push(err(
                        &place,
                        format!("unknown language \"{lang_code}\": use sv or en"),
                    ));
                    continue;
                };
                match Template::parse(&place, &src.subject, &src.text, src.html.as_deref()) {
                    Ok(t) => loaded.push((kind, lang, t)),
                    Err(e) => errors.extend(e.0),
                }
            }
        }
        if !errors.is_empty() {
            return Err(TemplateErrors(errors));
        }
        let n = loaded.len() + phrases.len();
        for (k, l, t) in loaded {
            self.set(k, l, t);
        }
        for (k, l, t) in phrases {
            self.phrases.insert((k, l), t);
        }
        Ok(n)
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::builtin()
    }
}

fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&str, Value)]) -> Context {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn the_builtin_templates_cover_every_kind_in_both_languages() {
        let mut t = Templates::empty();
        assert_eq!(
            t.load_toml(BUILTIN),
            Ok(2 * KINDS.len() + 2 * PHRASES.len())
        );
        for kind in KINDS {
            for lang in Language::ALL {
                assert!(t.map.contains_key(&(kind, lang)), "{kind:?} {lang:?}");
            }
        }
        for key in PHRASES {
            for lang in Language::ALL {
                assert!(
                    t.phrases.contains_key(&(*key, lang)),
                    "phrase {key} {lang:?}"
                );
            }
        }
        assert_eq!(Templates::builtin(), t);
    }

    #[test]
    fn placeholders_fill_and_lines_without_values_disappear() {
        let t = Template::parse(
            "t",
            "Kallelse: {{body}}",
            "Tid: {{meeting_date}}\nPlats: {{location}}\n{{#agenda}}\nDagordning:\n{{agenda}}\n{{/agenda}}\nSlut",
            None,
        )
        .unwrap();
        let r = t.render(&ctx(&[
            ("body", Value::Text("SBU".into())),
            ("meeting_date", Value::Text("15 oktober 2024".into())),
        ]));
        assert_eq!(r.subject, "Kallelse: SBU");
        assert_eq!(r.text, "Tid: 15 oktober 2024\nSlut\n");
        let r = t.render(&ctx(&[
            ("meeting_date", Value::Text("15 oktober 2024".into())),
            ("location", Value::Text("Enen".into())),
            (
                "agenda",
                Value::Numbered(vec![
                    (1, "Välkommen".into()),
                    (2, "Familjecentraler".into()),
                ]),
            ),
        ]));
        assert_eq!(
            r.text,
            "Tid: 15 oktober 2024\nPlats: Enen\nDagordning:\n1. Välkommen\n2. Familjecentraler\nSlut\n"
        );
        assert!(r.html.contains(
            "<ol><li value=\"1\">Välkommen</li><li value=\"2\">Familjecentraler</li></ol>"
        ));
    }

    #[test]
    fn values_are_escaped_in_html_but_not_in_text() {
        let t = Template::parse(
            "t",
            "{{matter_title}}",
            "{{matter_title}}",
            Some("<b>{{matter_title}}</b>"),
        )
        .unwrap();
        let r = t.render(&ctx(&[(
            "matter_title",
            Value::Text("<script>alert(1)</script> & \"x\"".into()),
        )]));
        assert_eq!(
            r.html,
            "<b>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;</b>"
        );
        assert_eq!(r.text, "<script>alert(1)</script> & \"x\"\n");
        // A subject never spans lines (no header injection).
        let r = t.render(&ctx(&[(
            "matter_title",
            Value::Text("a\r\nBcc: x@y".into()),
        )]));
        assert_eq!(r.subject, "a Bcc: x@y");
    }

    #[test]
    fn bad_templates_are_refused_with_their_place() {
        let e = Template::parse(
            "notice.sv",
            "{{bodyy}}",
            "ok {{details.expected}}\n{{#agenda}}\nx",
            None,
        )
        .unwrap_err();
        assert_eq!(e.0.len(), 2, "{e}");
        assert_eq!(e.0[0].place, "notice.sv.subject");
        assert!(e.0[0].message.contains("unknown placeholder \"bodyy\""));
        assert_eq!(e.0[1].place, "notice.sv.text");
        assert_eq!(e.0[1].line, 2);
        let e = TemplateText::parse("x", "a {{ body").unwrap_err();
        assert!(e.0[0].message.contains("not closed"));
    }

    #[test]
    fn an_override_file_replaces_only_what_it_names_and_all_or_nothing() {
        let mut t = Templates::builtin();
        let before = t.clone();
        let bad = "[notice.sv]\nsubject = \"x\"\ntext = \"{{nope}}\"\n[notice.xx]\nsubject = \"x\"\ntext = \"y\"\n[nonsense.sv]\nsubject = \"x\"\ntext = \"y\"\n";
        let e = t.load_toml(bad).unwrap_err();
        assert_eq!(e.0.len(), 3, "{e}");
        assert_eq!(t, before, "nothing loaded from a file with errors");
        let good =
            "[notice.sv]\nsubject = \"Möte {{body}}\"\ntext = \"Välkommen till {{body}}.\"\n";
        assert_eq!(t.load_toml(good), Ok(1));
        let r = t
            .get(NotificationKind::Notice, Language::Swedish)
            .unwrap()
            .render(&ctx(&[("body", Value::Text("SBU".into()))]));
        assert_eq!(r.subject, "Möte SBU");
        assert_eq!(
            t.get(NotificationKind::Notice, Language::English),
            before.get(NotificationKind::Notice, Language::English)
        );
        let e = t.load_toml("[notice.sv\n").unwrap_err();
        assert_eq!(e.0[0].line, 1);
    }
}
