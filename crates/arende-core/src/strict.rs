//! JSON input read strictly (strikt inläsning): a command (or any value) from the JSON a
//! client sent, refused with the real line and column of what is wrong, and refused when
//! it carries a field the value does not have — also inside the internally tagged
//! command enums, where serde itself ignores extra fields of a unit variant and reports
//! its errors without a position.
//!
//! Three steps: the text is parsed as JSON (a syntax error has its position); the value
//! is read into `T` (a shape error is located in the text by the path of the field, or
//! by the unknown field or variant the message names); and the value read is written
//! back and compared with what was sent: a key that was sent with content but is not in
//! the value written back is an unknown field, named with its path and position. A key
//! sent as `null`, `[]`, `{}` or `false` that the value leaves out (a default) is
//! accepted; so is anything inside a `notification` (facts keep older field names as
//! aliases).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The deepest JSON accepted (objects and arrays inside each other).
pub const MAX_DEPTH: usize = 64;

/// JSON input that cannot be read, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonInputError {
    /// Not JSON at all.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// The line (1 = the first).
        line: usize,
        /// The column (1 = the first character of the line).
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("line {line}, column {column}: nested deeper than {limit} levels")]
    TooDeep {
        /// Where the limit was passed.
        line: usize,
        /// The column.
        column: usize,
        /// The limit.
        limit: usize,
    },
    /// JSON of the wrong shape (a missing field, an unknown variant, a wrong type).
    #[error("line {line}, column {column}: {message}")]
    Shape {
        /// Where (the field or value concerned, or the enclosing object).
        line: usize,
        /// The column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A field the value does not have (a misspelling, or a field of another command).
    #[error("line {line}, column {column}: unknown field `{field}` at {path}")]
    UnknownField {
        /// Where the field's name stands.
        line: usize,
        /// The column.
        column: usize,
        /// The field's name.
        field: String,
        /// The path of the object holding it, e.g. `command`.
        path: String,
    },
}

impl JsonInputError {
    /// The line and column.
    pub fn position(&self) -> (usize, usize) {
        match self {
            JsonInputError::Syntax { line, column, .. }
            | JsonInputError::TooDeep { line, column, .. }
            | JsonInputError::Shape { line, column, .. }
            | JsonInputError::UnknownField { line, column, .. } => (*line, *column),
        }
    }

    /// What is wrong, in Swedish (without the position): serde's and the parser's
    /// messages as the configuration loader words them.
    pub fn swedish(&self) -> String {
        match self {
            JsonInputError::Syntax { message, .. } => crate::config::swedish_syntax(message),
            JsonInputError::TooDeep { limit, .. } => format!("nästlad djupare än {limit} nivåer"),
            JsonInputError::Shape { message, .. } => crate::config::swedish_serde(message),
            JsonInputError::UnknownField { field, path, .. } => {
                format!("okänt fält `{field}` i {path}")
            }
        }
    }

    /// What is wrong, in English (without the position).
    pub fn english(&self) -> String {
        match self {
            JsonInputError::Syntax { message, .. } | JsonInputError::Shape { message, .. } => {
                message.clone()
            }
            JsonInputError::TooDeep { limit, .. } => format!("nested deeper than {limit} levels"),
            JsonInputError::UnknownField { field, path, .. } => {
                format!("unknown field `{field}` in {path}")
            }
        }
    }

    /// Whether the text was not JSON at all (as opposed to JSON of the wrong shape).
    pub fn is_syntax(&self) -> bool {
        matches!(
            self,
            JsonInputError::Syntax { .. } | JsonInputError::TooDeep { .. }
        )
    }
}

/// Reads `T` from JSON text strictly (see the module docs).
pub fn from_json<T: DeserializeOwned + Serialize>(text: &[u8]) -> Result<T, JsonInputError> {
    if let Some(offset) = too_deep(text) {
        let (line, column) = line_column(text, offset);
        return Err(JsonInputError::TooDeep {
            line,
            column,
            limit: MAX_DEPTH,
        });
    }
    // serde_json counts a column 0 at the start of a line (an end of input just after a
    // line break): the position is the line's first character.
    let sent: Value = match serde_json::from_slice::<NoDuplicates>(text) {
        Ok(v) => v.0,
        Err(e) => {
            let (line, column) = (e.line().max(1), e.column().max(1));
            let message = e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_owned();
            return Err(if e.is_data() {
                JsonInputError::Shape {
                    line,
                    column,
                    message,
                }
            } else {
                JsonInputError::Syntax {
                    line,
                    column,
                    message,
                }
            });
        }
    };
    let value: T = match serde_path_to_error::deserialize(&sent) {
        Ok(v) => v,
        Err(e) => {
            let path: Vec<Seg> = e.path().iter().filter_map(seg).collect();
            let message = e.inner().to_string();
            if let Some(field) = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
            {
                // serde's own refusal of an unknown field: the same error as ours.
                let mut at = path.clone();
                at.push(Seg::Key(field.to_owned()));
                let offset = locate(text, &at)
                    .filter(|&o| o > 0)
                    .or_else(|| locate_message(text, &message))
                    .unwrap_or(0);
                let (line, column) = line_column(text, offset);
                return Err(JsonInputError::UnknownField {
                    line,
                    column,
                    field: field.to_owned(),
                    path: display(&path),
                });
            }
            // Inside an internally tagged enum serde gives no path: then the value the
            // message quotes, else the command itself.
            let offset = locate_message(text, &message)
                .or_else(|| locate(text, &path).filter(|&o| o > 0 || path.is_empty()))
                .filter(|&o| o > 0)
                .or_else(|| locate_value(text, &message))
                .or_else(|| locate(text, &[Seg::Key("command".into())]))
                .unwrap_or(0);
            let (line, column) = line_column(text, offset);
            return Err(JsonInputError::Shape {
                line,
                column,
                message,
            });
        }
    };
    let written = serde_json::to_value(&value).unwrap_or(Value::Null);
    let mut path = Vec::new();
    if let Some((path, field)) = unknown(&sent, &written, &mut path) {
        let mut at = path.clone();
        at.push(Seg::Key(field.clone()));
        let offset = locate(text, &at).unwrap_or(0);
        let (line, column) = line_column(text, offset);
        return Err(JsonInputError::UnknownField {
            line,
            column,
            field,
            path: display(&path),
        });
    }
    Ok(value)
}

/// The first field of `sent` that `value`, written back, does not have: the path of its
/// object and its name (for input read by another parser, e.g. TOML turned into a JSON
/// value; [`from_json`] does this itself).
pub fn unknown_field<T: Serialize>(sent: &Value, value: &T) -> Option<(String, String)> {
    let written = serde_json::to_value(value).unwrap_or(Value::Null);
    unknown(sent, &written, &mut Vec::new()).map(|(path, field)| (display(&path), field))
}

/// A JSON value whose objects name each key once: serde_json's own `Value` keeps the
/// last of two equal keys, where reading the command itself refuses them, so the same
/// text would be read two ways.
struct NoDuplicates(Value);

impl<'de> serde::Deserialize<'de> for NoDuplicates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicatesVisitor).map(NoDuplicates)
    }
}

struct NoDuplicatesVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicatesVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(NoDuplicates(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate field `{key}`"
                )));
            }
            let NoDuplicates(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// A step of a path into a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn seg(s: &serde_path_to_error::Segment) -> Option<Seg> {
    match s {
        serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
        serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
        _ => None,
    }
}

fn display(path: &[Seg]) -> String {
    let mut out = String::new();
    for s in path {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() {
        out.push_str("(the top level)");
    }
    out
}

/// Whether a value sent but left out when written back is only a default.
fn empty(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The first key sent that the value written back does not have: its object's path and
/// its name.
fn unknown(sent: &Value, written: &Value, path: &mut Vec<Seg>) -> Option<(Vec<Seg>, String)> {
    match (sent, written) {
        (Value::Object(s), Value::Object(w)) => {
            for (key, sv) in s {
                match w.get(key) {
                    Some(wv) => {
                        if key == "notification" {
                            continue;
                        }
                        path.push(Seg::Key(key.clone()));
                        let found = unknown(sv, wv, path);
                        path.pop();
                        if found.is_some() {
                            return found;
                        }
                    }
                    None if empty(sv) => {}
                    None => return Some((path.clone(), key.clone())),
                }
            }
            None
        }
        (Value::Array(s), Value::Array(w)) => {
            for (i, (sv, wv)) in s.iter().zip(w).enumerate() {
                path.push(Seg::Index(i));
                let found = unknown(sv, wv, path);
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        _ => None,
    }
}

/// The byte offset where nesting first passes [`MAX_DEPTH`], outside strings.
fn too_deep(text: &[u8]) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in text.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Line and column (1-based, in characters) of a byte offset.
fn line_column(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

/// The offset of what a serde message names: an unknown field's key, or an unknown
/// variant's or a bad value's string.
fn locate_message(text: &[u8], message: &str) -> Option<usize> {
    let named = |prefix: &str| {
        let rest = message.strip_prefix(prefix)?;
        let rest = rest.strip_prefix('`')?;
        Some(rest[..rest.find('`')?].to_owned())
    };
    let (name, key) = if let Some(n) = named("unknown field ") {
        (n, true)
    } else if let Some(n) = named("unknown variant ") {
        (n, false)
    } else {
        return None;
    };
    let quoted = serde_json::to_string(&name).ok()?;
    let hay = text;
    let needle = quoted.as_bytes();
    let mut from = 0;
    while let Some(p) = find(&hay[from..], needle) {
        let at = from + p;
        let after = hay[at + needle.len()..]
            .iter()
            .find(|b| !b.is_ascii_whitespace());
        if (after == Some(&b':')) == key {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The offset of the value an "invalid type" or "invalid value" message quotes
/// (``invalid type: integer `7`, expected …``), where it stands as a value.
fn locate_value(text: &[u8], message: &str) -> Option<usize> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let quoted = if let Some(r) = rest.split_once('`') {
        r.1.split('`').next()?.to_owned()
    } else {
        let r = rest.split_once('"')?.1;
        format!("\"{}\"", r.split('"').next()?)
    };
    let mut from = 0;
    while let Some(p) = find(&text[from..], quoted.as_bytes()) {
        let at = from + p;
        let before = text[..at].iter().rev().find(|b| !b.is_ascii_whitespace());
        if matches!(before, Some(b':' | b',' | b'[')) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The byte offset of the value (or, for a key at the end of the path, the key) at
/// `path` in `text`, by a small scanner of the JSON text.
fn locate(text: &[u8], path: &[Seg]) -> Option<usize> {
    let mut s = Scanner { text, pos: 0 };
    s.ws();
    let mut best = s.pos;
    for (depth, step) in path.iter().enumerate() {
        let last = depth + 1 == path.len();
        match (s.peek()?, step) {
            (b'{', Seg::Key(k)) => {
                s.pos += 1;
                loop {
                    s.ws();
                    if s.peek()? == b'}' {
                        return Some(best);
                    }
                    let key_at = s.pos;
                    let key = s.string()?;
                    s.ws();
                    s.expect(b':')?;
                    s.ws();
                    if &key == k {
                        best = if last { key_at } else { s.pos };
                        break;
                    }
                    s.skip_value()?;
                    s.ws();
                    if s.peek()? == b',' {
                        s.pos += 1;
                    }
                }
            }
            (b'[', Seg::Index(i)) => {
                s.pos += 1;
                for _ in 0..*i {
                    s.ws();
                    s.skip_value()?;
                    s.ws();
                    s.expect(b',')?;
                }
                s.ws();
                best = s.pos;
            }
            _ => return Some(best),
        }
    }
    Some(best)
}

struct Scanner<'t> {
    text: &'t [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.pos += 1)
    }

    /// A string at the position, decoded.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        self.skip_string()?;
        serde_json::from_slice(&self.text[start..self.pos]).ok()
    }

    fn skip_string(&mut self) -> Option<()> {
        self.expect(b'"')?;
        let mut escaped = false;
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => return Some(()),
                _ => {}
            }
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.pos += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(tag = "type", rename_all = "kebab-case")]
    enum Inner {
        Ping,
        Say { words: String },
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Outer {
        id: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        inner: Inner,
    }

    #[test]
    fn a_syntax_error_has_its_real_position() {
        let err = from_json::<Outer>(b"{\n  \"id\": 1,\n  \"inner\": {\"type\": \"ping\"},,\n}")
            .unwrap_err();
        assert!(err.is_syntax());
        assert_eq!(err.position().0, 3, "{err}");
    }

    #[test]
    fn an_unknown_field_inside_a_unit_variant_is_refused_with_its_place() {
        let text = b"{\n  \"id\": 1,\n  \"inner\": {\"type\": \"ping\", \"loud\": true}\n}";
        let err = from_json::<Outer>(text).unwrap_err();
        assert_eq!(
            err,
            JsonInputError::UnknownField {
                line: 3,
                column: 29,
                field: "loud".into(),
                path: "inner".into()
            }
        );
    }

    #[test]
    fn a_misspelled_optional_field_is_refused_and_a_null_default_is_not() {
        let err = from_json::<Outer>(br#"{"id": 1, "ntoe": "x", "inner": {"type": "ping"}}"#)
            .unwrap_err();
        assert!(
            matches!(&err, JsonInputError::UnknownField { field, .. } if field == "ntoe"),
            "{err}"
        );
        let ok: Outer =
            from_json(br#"{"id": 1, "note": null, "inner": {"type": "ping"}}"#).unwrap();
        assert_eq!(ok.inner, Inner::Ping);
    }

    #[test]
    fn a_shape_error_points_at_the_field_not_at_line_zero() {
        let text = b"{\n  \"id\": 1,\n  \"inner\": {\"type\": \"shout\"}\n}";
        let err = from_json::<Outer>(text).unwrap_err();
        assert!(
            matches!(err, JsonInputError::Shape { line: 3, .. }),
            "{err}"
        );
        let text = b"{\n  \"id\": \"one\",\n  \"inner\": {\"type\": \"ping\"}\n}";
        let err = from_json::<Outer>(text).unwrap_err();
        assert!(
            matches!(err, JsonInputError::Shape { line: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn an_end_of_input_after_a_line_break_has_a_position() {
        let err = from_json::<Value>(b"[\n").unwrap_err();
        assert!(err.is_syntax());
        let (line, column) = err.position();
        assert!(line >= 1 && column >= 1, "{err}");
        assert!(from_json::<Value>(b"").unwrap_err().position().0 >= 1);
    }

    #[test]
    fn a_message_quoting_backticks_is_located_without_a_panic() {
        // serde's message quotes the string, which holds the backticks it quotes with.
        let err = from_json::<Vec<String>>(b"\"```?\"").unwrap_err();
        assert!(err.position().0 >= 1, "{err}");
    }

    #[test]
    fn a_key_given_twice_is_refused_where_it_stands() {
        let err = from_json::<Outer>(b"{\"id\": 1,\n \"id\": 2, \"inner\": {\"type\": \"ping\"}}")
            .unwrap_err();
        assert!(
            matches!(err, JsonInputError::Shape { line: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("duplicate field `id`"), "{err}");
    }

    #[test]
    fn nesting_past_the_limit_is_refused_before_parsing() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(matches!(
            from_json::<Value>(deep.as_bytes()),
            Err(JsonInputError::TooDeep { .. })
        ));
    }
}
