//! Escaping hostile text (names, tags, descriptions from providers) for each output.

/// Makes text safe to print on a terminal: control characters (including ESC, so no escape
/// sequence survives), and bidirectional overrides (Trojan Source) are shown as `\u{..}`.
pub fn terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        if c.is_control() || bidi {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Makes text inert in Markdown (and the HTML GitHub allows in it): every ASCII punctuation
/// character that Markdown or GFM gives meaning to is backslash-escaped, so no link, image,
/// emphasis, table cell break, raw HTML or autolink (`https\://`) can be formed; line breaks
/// become spaces; control characters are shown as `\u{..}`.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in terminal(&s.replace(['\n', '\r'], " ")).chars() {
        if c.is_ascii_punctuation()
            && !matches!(
                c,
                ',' | ';' | '"' | '\'' | '/' | '=' | '?' | '%' | '$' | '-' | '@'
            )
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text for HTML element content and quoted attribute values; control characters are
/// shown as `\u{..}` first.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in terminal(s).chars() {
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

/// Neutralises spreadsheet formulas: a cell starting with `=`, `+`, `-`, `@`, tab or carriage
/// return is prefixed with `'` (OWASP CSV injection guidance). Quoting is the CSV writer's job.
pub fn csv_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_inert() {
        let m = markdown("[x](javascript:alert(1)) ![i](http://e/x.png) <script>|*_`");
        assert!(
            !m.contains("](") && !m.contains("<script>") && !m.contains("http://"),
            "{m}"
        );
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("two\nlines"), "two lines");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            html("<img src=x onerror=\"a('b')\">&"),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
    }

    #[test]
    fn csv_formulas_are_neutralised() {
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        for p in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_cell(p).starts_with('\''), "{p}");
        }
        assert_eq!(csv_cell("deploy-bot"), "deploy-bot");
    }

    #[test]
    fn strips_escape_sequences() {
        assert_eq!(
            terminal("a\x1b]8;;http://x\x07b"),
            "a\\u{1b}]8;;http://x\\u{7}b"
        );
        assert_eq!(terminal("line\nbreak\u{202e}"), "line\\u{a}break\\u{202e}");
        assert_eq!(terminal("plain ü"), "plain ü");
    }
}
