//! Text that people typed, made safe to put into Markdown (the minutes, notices): every
//! character that CommonMark or its table and strikethrough extensions would read as
//! syntax is escaped, so a title, a note or a motion is shown as written and can never
//! add a heading, a paragraph (§), a table row, a link or raw HTML to official minutes.
//!
//! - [`escape_line`] is for single-line text (titles, names, places, labels): line
//!   breaks and other control characters become one space.
//! - [`escape_block`] is for text that may run over several lines (the text of a §):
//!   its lines are kept, each escaped, with no indentation (which Markdown would read as
//!   code) and at most one blank line between paragraphs.

/// Characters escaped wherever they stand: inline syntax (emphasis, code, links,
/// images, raw HTML, autolinks, entities, tables, strikethrough) and the backslash.
const INLINE: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '!', '|', '~', '&', '#',
];

/// Single-line text for Markdown: control characters (line breaks, tabs, …) and runs of
/// white space become one space, the ends are trimmed, and syntax is escaped.
pub fn escape_line(text: &str) -> String {
    let mut flat = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_control() || c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !flat.is_empty() {
            flat.push(' ');
        }
        space = false;
        flat.push(c);
    }
    let mut out = String::with_capacity(flat.len() + 8);
    escape_into(&flat, &mut out);
    out
}

/// Text of several lines for Markdown: each line as [`escape_line`] would make it (so
/// none starts a heading, list, quote, table, fence or code block), with the line
/// breaks kept and runs of blank lines collapsed to one.
pub fn escape_block(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut blank = false;
    for line in text.lines() {
        let line = escape_line(line);
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push_str("\n\n");
        } else if !out.is_empty() {
            // A hard line break inside the paragraph, as the writer broke it.
            out.push_str("  \n");
        }
        blank = false;
        out.push_str(&line);
    }
    out
}

/// Escapes `text` (already one line, trimmed) into `out`: inline syntax everywhere, and
/// the block markers that only count at the start of a line.
fn escape_into(text: &str, out: &mut String) {
    // A leading block marker: `-`, `+`, `=` (list items, setext underlines) or an
    // ordered-list number (`12.` or `12)`).
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let ordered = digits > 0 && matches!(text.as_bytes().get(digits), Some(b'.' | b')'));
    for (i, c) in text.char_indices() {
        let at_start = i == 0 && matches!(c, '-' | '+' | '=');
        let ordered_mark = ordered && i == digits;
        if INLINE.contains(&c) || at_start || ordered_mark {
            out.push('\\');
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_loses_its_breaks_and_its_syntax() {
        assert_eq!(
            escape_line("Avtal\n\n## § 9 Beslut\r\n**fet** [x](javascript:alert(1))"),
            "Avtal \\#\\# § 9 Beslut \\*\\*fet\\*\\* \\[x\\](javascript:alert(1))"
        );
        assert_eq!(escape_line("  a\tb  "), "a b");
        assert_eq!(escape_line("- punkt"), "\\- punkt");
        assert_eq!(escape_line("12. punkt"), "12\\. punkt");
        assert_eq!(escape_line("IF-frågan 2024-10-15"), "IF-frågan 2024-10-15");
        assert_eq!(
            escape_line("<script>a|b</script>"),
            "\\<script\\>a\\|b\\</script\\>"
        );
    }

    #[test]
    fn a_block_keeps_its_lines_without_indentation() {
        assert_eq!(
            escape_block("Första raden\n    kod?\n\n\n\n# rubrik\n> citat"),
            "Första raden  \nkod?\n\n\\# rubrik  \n\\> citat"
        );
        assert_eq!(escape_block("\n\n  \n"), "");
    }
}
