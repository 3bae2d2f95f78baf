//! HTML rendering of a laid-out notice: one self-contained page (inline style, no script,
//! no external resource, a Content Security Policy that forbids both).
//!
//! Every string is escaped (`&`, `<`, `>`, `"`, `'`), in text and attributes alike.

use std::fmt::Write as _;

use super::layout::{Block, Doc, Span};
use crate::base::text::Lang;

const STYLE: &str = "\
body{margin:0;background:#f4f5f7;color:#1f2328;font:15px/1.6 -apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif}
main{max-width:960px;margin:0 auto;padding:24px 32px;background:#fff}
h1{font-size:1.6em;margin:.2em 0;color:#a61b1b}
.subtitle{color:#57606a;margin-top:0}
h2{font-size:1.15em;border-left:4px solid #a61b1b;padding-left:8px;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.6em 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
blockquote{margin:.6em 0;padding:.2em 1em;border-left:3px solid #d0d7de;color:#424a53}
footer{margin-top:2em;color:#57606a;font-size:.85em;border-top:1px solid #d0d7de;padding-top:.6em}
@media print{body{background:#fff}main{padding:0}}";

pub(super) fn render(doc: &Doc, lang: Lang) -> String {
    let mut out = String::from("<!DOCTYPE html>\n");
    let _ = writeln!(
        out,
        "<html lang=\"{}\">",
        match lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    );
    out += "<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    let _ = writeln!(out, "<title>{}</title>", escape(&doc.title));
    let _ = writeln!(out, "<style>\n{STYLE}\n</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n</header>",
        escape(&doc.title),
        escape(&doc.subtitle)
    );
    for s in &doc.sections {
        let _ = writeln!(out, "<section>\n<h2>{}</h2>", escape(&s.heading));
        for b in &s.blocks {
            block(&mut out, b);
        }
        out += "</section>\n";
    }
    let _ = writeln!(out, "<footer>{}</footer>\n</main>\n</body>\n</html>", escape(&doc.footer));
    out
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Para(spans) => {
            let _ = writeln!(out, "<p>{}</p>", spans_html(spans));
        }
        Block::Quote(text) => {
            let _ = writeln!(out, "<blockquote>{}</blockquote>", escape(text));
        }
        Block::List(items) | Block::Ordered(items) => {
            let tag = if matches!(b, Block::List(_)) { "ul" } else { "ol" };
            let _ = writeln!(out, "<{tag}>");
            for i in items {
                let _ = writeln!(out, "<li>{}</li>", spans_html(i));
            }
            let _ = writeln!(out, "</{tag}>");
        }
        Block::Table { head, rows } => {
            out.push_str("<table>\n<thead><tr>");
            for h in head {
                let _ = write!(out, "<th>{}</th>", escape(h));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for r in rows {
                out.push_str("<tr>");
                for c in r {
                    let _ = write!(out, "<td>{}</td>", escape(c));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
    }
}

fn spans_html(spans: &[Span]) -> String {
    let mut out = String::new();
    for s in spans {
        match s {
            Span::Text(t) => out += &escape(t),
            Span::Strong(t) => {
                let _ = write!(out, "<strong>{}</strong>", escape(t));
            }
        }
    }
    out
}

/// Escapes text for HTML content and quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
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

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            escape("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }
}
