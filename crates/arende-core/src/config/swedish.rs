//! Swedish for the messages the TOML reader and serde give in English (syntax errors,
//! missing and unknown fields, wrong value types), so that `arende check` speaks one
//! language per run. Values quoted from the file are kept as written.

/// A TOML syntax message in Swedish, e.g. "missing comma between key-value pairs,
/// expected `,`" → "komma saknas mellan nyckel och värde, väntade `,`". The parser's
/// phrases are translated whole; what is quoted from the file is kept.
pub(crate) fn syntax(en: &str) -> String {
    let (head, expected) = match en.split_once("expected ") {
        Some((h, e)) => (h.trim_end_matches([',', ' ', '\n']), Some(e)),
        None => (en, None),
    };
    let mut out = phrase(head.trim()).map_or_else(|| head.to_owned(), str::to_owned);
    if let Some(e) = expected {
        let items: Vec<String> = e
            .split(", ")
            .map(|item| {
                let item = item.trim();
                let (item, or) = match item.strip_prefix("or ") {
                    Some(i) => (i, "eller "),
                    None => (item, ""),
                };
                format!("{or}{}", phrase(item).unwrap_or(item))
            })
            .collect();
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str("väntade ");
        out.push_str(&items.join(", "));
    }
    out
}

/// The Swedish of one phrase of the TOML parser (its descriptions of errors and of what
/// it expected), or `None` for text quoted from the file.
fn phrase(en: &str) -> Option<&'static str> {
    Some(match en {
        "" => "",
        "duplicate key" => "dubblerad nyckel",
        "cannot recurse further; max recursion depth met" => {
            "för djup nästling: det högsta tillåtna djupet är nått"
        }
        "carriage return must be followed by newline" => "vagnretur måste följas av radbrytning",
        "could not allocate for string" => "det finns inte minne för texten",
        "extra assignment between key-value pairs" => "extra tilldelning mellan nyckel och värde",
        "extra comma in array" => "extra komma i listan",
        "extra comma in inline table" => "extra komma i den infogade tabellen",
        "integers with a radix cannot be signed" => "heltal med talbas kan inte ha tecken",
        "invalid basic string" | "invalid string" => "ogiltig text",
        "invalid binary number" => "ogiltigt binärt tal",
        "invalid boolean" => "ogiltigt sanningsvärde",
        "invalid comment character" => "ogiltigt tecken i kommentar",
        "invalid date-time" => "ogiltig tidpunkt",
        "invalid exponent" => "ogiltig exponent",
        "invalid float" => "ogiltigt decimaltal",
        "invalid fraction" => "ogiltig decimaldel",
        "invalid hexadecimal number" => "ogiltigt hexadecimalt tal",
        "invalid inline table element" => "ogiltigt element i infogad tabell",
        "invalid integer number" => "ogiltigt heltal",
        "invalid key" => "ogiltig nyckel",
        "invalid key-value pair" => "ogiltigt nyckel–värde-par",
        "invalid literal string" => "ogiltig bokstavlig text",
        "invalid mantissa" => "ogiltig mantissa",
        "invalid multi-line basic string" => "ogiltig text över flera rader",
        "invalid multi-line literal string" => "ogiltig bokstavlig text över flera rader",
        "invalid octal number" => "ogiltigt oktalt tal",
        "invalid table" => "ogiltig tabell",
        "invalid table header" => "ogiltigt tabellhuvud",
        "invalid unquoted key" => "ogiltig nyckel utan citattecken",
        "invalid value" => "ogiltigt värde",
        "key with no value" => "nyckel utan värde",
        "keys cannot be multi-line basic strings" | "keys cannot be multi-line literal strings" => {
            "nycklar kan inte vara text över flera rader"
        }
        "missing array opening" => "listans början saknas",
        "missing assignment between key-value pairs" => {
            "tilldelning saknas mellan nyckel och värde"
        }
        "missing comma between array elements" => "komma saknas mellan listans element",
        "missing comma between key-value pairs" => "komma saknas mellan nyckel–värde-par",
        "missing comment start" => "kommentarens början saknas",
        "missing escaped value" => "escapetecken utan värde",
        "missing inline table opening" => "den infogade tabellens början saknas",
        "missing key for inline table element" => "nyckel saknas för element i infogad tabell",
        "missing opening quote" => "inledande citattecken saknas",
        "missing table open" => "tabellens början saknas",
        "missing value for key" => "värde saknas för nyckeln",
        "missing value" => "värde saknas",
        "radix must be lowercase" => "talbasen skrivs med gemener",
        "redundant integer number prefix" => "överflödigt prefix för heltal",
        "redundant numeric sign" => "överflödigt tecken för talet",
        "string values must be quoted" => "textvärden skrivs inom citattecken",
        "too few unicode value digits" => "för få siffror i unicodevärdet",
        "unclosed array table" => "ej avslutad listtabell",
        "unclosed array" => "ej avslutad lista",
        "unclosed inline table" => "ej avslutad infogad tabell",
        "unclosed table" => "ej avslutad tabell",
        "unexpected content between comment and newline" => {
            "oväntat innehåll mellan kommentar och radbrytning"
        }
        "unexpected content" => "oväntat innehåll",
        "unexpected key or value" => "oväntad nyckel eller oväntat värde",
        "unexpected leading zero" => "oväntad inledande nolla",
        "unexpected sign" => "oväntat tecken",
        "unquoted keys cannot be empty" => "en nyckel utan citattecken får inte vara tom",
        "array close" => "listans slut",
        "array open" => "listans början",
        "array-table close" | "std-table close" => "tabellhuvudets slut",
        "array-table open" | "std-table open" => "tabellhuvudets början",
        "inline-table close" => "den infogade tabellens slut",
        "inline-table open" => "den infogade tabellens början",
        "basic string" => "text",
        "literal string" => "bokstavlig text",
        "multi-line basic string" => "text över flera rader",
        "multi-line literal string" => "bokstavlig text över flera rader",
        "boolean" => "sanningsvärde",
        "characters" => "tecken",
        "comment" => "kommentar",
        "content" => "innehåll",
        "date-time" => "tidpunkt",
        "digits" => "siffror",
        "end-of-input" => "filens slut",
        "hexadecimal" => "hexadecimalt tal",
        "integer" => "heltal",
        "key" => "nyckel",
        "key separator" => "nyckelavgränsare",
        "key-value separator" => "likhetstecken",
        "letters" => "bokstäver",
        "newline" => "radbrytning",
        "non-double-quote visible characters" => "synliga tecken utom dubbla citattecken",
        "non-single-quote characters" => "tecken utom enkla citattecken",
        "non-single-quote visible characters" => "synliga tecken utom enkla citattecken",
        "numbers" => "tal",
        "printable characters" => "skrivbara tecken",
        "trailing" => "avslutande",
        "unicode hexadecimal value" => "hexadecimalt unicodevärde",
        "unquoted string" => "text utan citattecken",
        "value" => "värde",
        "value separator" => "värdeavgränsare",
        "whitespace" => "blanksteg",
        _ => return None,
    })
}

/// A serde message (from reading a table into its fields) in Swedish.
pub(crate) fn serde(en: &str) -> String {
    if let Some(field) = en.strip_prefix("missing field ") {
        return format!("fältet {field} saknas");
    }
    if let Some(field) = en.strip_prefix("duplicate field ") {
        return format!("fältet {field} finns två gånger");
    }
    if let Some(rest) = en.strip_prefix("unknown field ") {
        return match rest.split_once(", ") {
            Some((field, "there are no fields")) => {
                format!("okänt fält {field}; här finns inga fält")
            }
            Some((field, allowed)) => {
                let allowed = allowed
                    .trim_start_matches("expected one of ")
                    .trim_start_matches("expected ");
                format!("okänt fält {field}; tillåtna fält: {allowed}")
            }
            None => format!("okänt fält {rest}"),
        };
    }
    if let Some(rest) = en.strip_prefix("unknown variant ") {
        return match rest.split_once(", expected ") {
            Some((v, allowed)) => format!("okänt värde {v}; väntade {}", kind(allowed)),
            None => format!("okänt värde {rest}"),
        };
    }
    for (prefix, sv) in [
        ("invalid type: ", "fel typ: "),
        ("invalid value: ", "ogiltigt värde: "),
        ("invalid length ", "fel längd "),
    ] {
        if let Some(rest) = en.strip_prefix(prefix) {
            return match rest.split_once(", expected ") {
                Some((found, expected)) => {
                    format!("{sv}{}, väntade {}", kind(found), kind(expected))
                }
                None => format!("{sv}{}", kind(rest)),
            };
        }
    }
    if en == "expected a date such as 2024-11-15" {
        return "väntade ett datum som 2024-11-15".to_owned();
    }
    syntax(en)
}

/// A type or value description ("a sequence", "string \"x\"", "u32") in Swedish.
fn kind(en: &str) -> String {
    const KINDS: &[(&str, &str)] = &[
        ("a string", "en text"),
        ("a sequence", "en lista"),
        ("a boolean", "ett sanningsvärde"),
        ("a map", "en tabell"),
        ("a table", "en tabell"),
        ("a date such as 2024-11-15", "ett datum som 2024-11-15"),
        ("a borrowed string", "en text"),
        ("a character", "ett tecken"),
        ("u32", "ett icke-negativt heltal"),
        ("u8", "ett litet icke-negativt heltal"),
        ("i64", "ett heltal"),
        ("string ", "texten "),
        ("integer ", "heltalet "),
        ("boolean ", "sanningsvärdet "),
        ("floating point ", "decimaltalet "),
        ("sequence", "en lista"),
        ("map", "en tabell"),
        ("datetime", "en tidpunkt"),
        ("unit value", "inget värde"),
        ("struct ", "tabellen "),
        ("enum ", "uppräkningen "),
        ("one of ", "ett av "),
        ("option", "ett valfritt värde"),
    ];
    if let Some(name) = en.strip_prefix("struct ") {
        return format!("en tabell ({name})");
    }
    if let Some(rest) = en.strip_prefix("a sequence of ") {
        return format!("en lista med {rest}");
    }
    replace_outside_quotes(en, KINDS)
}

/// Replaces the longest known phrases, leaving text in quotes or backticks (values from
/// the file) as written.
fn replace_outside_quotes(en: &str, phrases: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(en.len());
    let mut rest = en;
    let mut quote: Option<char> = None;
    'outer: while let Some(c) = rest.chars().next() {
        if let Some(q) = quote {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            if c == q {
                quote = None;
            }
            continue;
        }
        if matches!(c, '"' | '`') {
            quote = Some(c);
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let at_word_start = out.chars().next_back().is_none_or(|p| !p.is_alphanumeric());
        if at_word_start {
            let mut best: Option<(&str, &str)> = None;
            for &(p, sv) in phrases {
                let boundary = rest
                    .get(p.len()..)
                    .and_then(|r| r.chars().next())
                    .is_none_or(|n| !n.is_alphanumeric());
                if rest.starts_with(p) && boundary && best.is_none_or(|(b, _)| p.len() > b.len()) {
                    best = Some((p, sv));
                }
            }
            if let Some((p, sv)) = best {
                out.push_str(sv);
                rest = &rest[p.len()..];
                continue 'outer;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_read_in_swedish() {
        assert_eq!(serde("missing field `name`"), "fältet `name` saknas");
        assert_eq!(
            serde("unknown field `colour`, expected one of `name`, `kind`"),
            "okänt fält `colour`; tillåtna fält: `name`, `kind`"
        );
        assert_eq!(
            serde("invalid type: string \"decide\", expected a sequence"),
            "fel typ: texten \"decide\", väntade en lista"
        );
        assert_eq!(
            serde("invalid type: integer `3`, expected struct RawOrganisation"),
            "fel typ: heltalet `3`, väntade en tabell (RawOrganisation)"
        );
    }

    #[test]
    fn syntax_messages_keep_quoted_values() {
        assert_eq!(
            syntax("invalid table header\nexpected `.`, `]`"),
            "ogiltigt tabellhuvud, väntade `.`, `]`"
        );
        assert_eq!(
            syntax("missing comma between key-value pairs, expected `,`"),
            "komma saknas mellan nyckel–värde-par, väntade `,`"
        );
        assert_eq!(
            syntax("unclosed array, expected `]`, or value"),
            "ej avslutad lista, väntade `]`, eller värde"
        );
    }
}
