//! Markdown (the minutes as `arende_core::meeting::render_markdown` writes them) as
//! HTML that is safe to serve: the one renderer behind the service's HTML minutes and
//! the dashboard's meeting page. Tables and strikethrough are read as the minutes use
//! them; raw HTML is shown as text; a link keeps its target only for `http`, `https`
//! and `mailto` (any other scheme, such as `javascript:` or `data:`, leaves only its
//! text); images are never loaded (their description is shown instead).

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// Whether a link target may stay a link.
pub fn is_safe_link(target: &str) -> bool {
    let t = target.trim_start().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| t.starts_with(scheme))
}

/// Renders Markdown as an HTML fragment (no `<html>` around it), disarmed as the module
/// says.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // For each open link: whether its start tag was kept (so its end tag is too).
    let mut links: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, options).filter_map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Some(Event::Text(t)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let keep = is_safe_link(&dest_url);
            links.push(keep);
            keep.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link) => links
            .pop()
            .unwrap_or(false)
            .then_some(Event::End(TagEnd::Link)),
        Event::Start(Tag::Image { .. }) => Some(Event::Text(CowStr::Borrowed("["))),
        Event::End(TagEnd::Image) => Some(Event::Text(CowStr::Borrowed("]"))),
        e => Some(e),
    });
    let mut out = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_scripts_and_unsafe_links_are_inert() {
        let html = to_html(
            "<script>alert(1)</script>\n\n[klick](javascript:alert(1)) [ok](https://region.se) \
             [e](mailto:a@b.se) [d](data:text/html,x) ![bild](https://evil.example/x.png)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("data:text"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("[bild]"), "{html}");
        assert!(
            html.contains("<a href=\"https://region.se\">ok</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"mailto:a@b.se\">e</a>"), "{html}");
        assert!(html.contains("klick"), "{html}");
    }

    #[test]
    fn tables_and_strikethrough_render_as_the_minutes_use_them() {
        let html =
            to_html("| Ordförande | Justerare |\n|---|---|\n| A | B |\n\n- ~~Frånvarande~~\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>Frånvarande</del>"), "{html}");
    }

    #[test]
    fn a_link_inside_an_unsafe_link_keeps_the_nesting_balanced() {
        let html = to_html("[a [b](https://x.se) c](javascript:x)");
        assert_eq!(
            html.matches("<a ").count(),
            html.matches("</a>").count(),
            "{html}"
        );
    }
}
