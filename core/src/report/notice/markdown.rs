//! Markdown rendering of a laid-out notice (CommonMark with GitHub tables).
//!
//! Every string is escaped: ASCII punctuation Markdown gives meaning to is backslash-escaped,
//! `<`, `>` and `&` become entities (no raw HTML can pass), line breaks become spaces (a
//! string cannot end its table cell, list item or paragraph), and a string cannot start a
//! list or a heading.

use std::fmt::Write as _;

use super::layout::{Block, Doc, Span};

pub(super) fn render(doc: &Doc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", escape(&doc.title, true));
    let _ = writeln!(out, "*{}*\n", escape(&doc.subtitle, false));
    for s in &doc.sections {
        let _ = writeln!(out, "## {}\n", escape(&s.heading, false));
        for b in &s.blocks {
            block(&mut out, b);
            out.push('\n');
        }
    }
    let _ = writeln!(out, "---\n\n{}", escape(&doc.footer, true));
    out
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Para(spans) => {
            let _ = writeln!(out, "{}", spans_md(spans));
        }
        Block::Quote(text) => {
            let _ = writeln!(out, "> {}", escape(text, true));
        }
        Block::List(items) => {
            for i in items {
                let _ = writeln!(out, "- {}", spans_md(i));
            }
        }
        Block::Ordered(items) => {
            for (n, i) in items.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", n + 1, spans_md(i));
            }
        }
        Block::Table { head, rows } => {
            let cells = |row: &[String]| row.iter().map(|c| escape(c, false)).collect::<Vec<_>>().join(" | ");
            let _ = writeln!(out, "| {} |", cells(head));
            let _ = writeln!(out, "|{}|", vec![" --- "; head.len()].join("|"));
            for r in rows {
                let _ = writeln!(out, "| {} |", cells(r));
            }
        }
    }
}

fn spans_md(spans: &[Span]) -> String {
    let mut out = String::new();
    for (k, s) in spans.iter().enumerate() {
        match s {
            Span::Text(t) => out += &escape(t, k == 0),
            Span::Strong(t) if t.is_empty() => {}
            Span::Strong(t) => {
                let _ = write!(out, "**{}**", escape(t, false));
            }
        }
    }
    out
}

/// Escapes plain text for Markdown. At the start of a block, a leading `-`, `+` or
/// `1.`-style marker is escaped too, so that the text cannot open a list.
pub(super) fn escape(s: &str, block_start: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    if block_start {
        let trimmed = out.trim_start_matches(' ');
        let lead = out.len() - trimmed.len();
        if trimmed.starts_with(['-', '+', '=']) {
            out.insert(lead, '\\');
        } else {
            let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 && trimmed[digits..].starts_with(['.', ')']) {
                out.insert(lead + digits, '\\');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_block_starts() {
        assert_eq!(escape("<script>alert(1)</script>", false), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(escape("a|b\nc", false), "a\\|b c");
        assert_eq!(escape("- x", true), "\\- x");
        assert_eq!(escape("12. x", true), "12\\. x");
        assert_eq!(escape("12. x", false), "12. x");
        assert_eq!(escape("**[x](y)**", false), "\\*\\*\\[x\\](y)\\*\\*");
    }
}
