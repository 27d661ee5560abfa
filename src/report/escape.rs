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

#[cfg(test)]
mod tests {
    use super::*;

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
