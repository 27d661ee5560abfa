//! One pass over the bytes: Aho-Corasick finds every rule keyword at once; each rule's regex
//! then runs only on the neighbourhood of its keywords. A naive set of regexes over whole
//! files is an order of magnitude slower.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::rules::Rule;

/// Bytes before a keyword hit that a match may start at.
const BEFORE: usize = 256;
/// Bytes after a keyword hit that a multi-line match may end at (a PEM block is a few KB).
const AFTER_MULTILINE: usize = 8192;
/// Bytes after a keyword hit that a single-line match may end at (the line ends first).
const AFTER_LINE: usize = 2048;

/// A compiled rule set.
pub struct Engine {
    /// The rules.
    pub rules: Vec<Rule>,
    ac: AhoCorasick,
    /// For each Aho-Corasick pattern: the rules that own that keyword.
    owners: Vec<Vec<usize>>,
    /// Per rule: whether a match may span lines.
    multiline: Vec<bool>,
}

/// One match, before anything about it is kept: the secret's byte range lives only as long as
/// the scanned buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The rule's index.
    pub rule: usize,
    /// The secret's range.
    pub start: usize,
    /// End of the secret.
    pub end: usize,
}

impl Engine {
    /// Builds the prefilter over every rule's keywords.
    pub fn new(rules: Vec<Rule>) -> Result<Self, String> {
        let mut keywords: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        for (ix, r) in rules.iter().enumerate() {
            for k in r
                .syntax
                .keywords
                .iter()
                .map(|k| k.to_ascii_lowercase())
                .filter(|k| !k.is_empty())
            {
                match keywords
                    .iter()
                    .position(|x| *x == k)
                    .and_then(|p| owners.get_mut(p))
                {
                    Some(o) => o.push(ix),
                    None => {
                        keywords.push(k);
                        owners.push(vec![ix]);
                    }
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&keywords)
            .map_err(|e| format!("cannot build the keyword prefilter: {e}"))?;
        let multiline = rules
            .iter()
            .map(|r| {
                let p = &r.syntax.pattern;
                r.syntax.kind == "private-key"
                    || p.contains("\\n")
                    || p.contains("(?s")
                    || p.contains("\\s\\S")
            })
            .collect();
        Ok(Self {
            rules,
            ac,
            owners,
            multiline,
        })
    }

    /// Every valid match in `data`, in order.
    pub fn scan(&self, data: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        // Per rule: the end of the region its regex already searched.
        let mut done = vec![0usize; self.rules.len()];
        for m in self.ac.find_overlapping_iter(data) {
            let owners = self.owners.get(m.pattern().as_usize());
            for &r in owners.into_iter().flatten() {
                let (Some(rule), Some(&multiline), Some(done)) =
                    (self.rules.get(r), self.multiline.get(r), done.get_mut(r))
                else {
                    continue;
                };
                if m.end() <= *done {
                    continue; // Already searched.
                }
                // From the start of the line (so anchors and \b see the real context), at most
                // BEFORE bytes back, never re-searching what was searched.
                let back = m.start().saturating_sub(BEFORE);
                let line = data
                    .get(back..m.start())
                    .unwrap_or_default()
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(back, |p| back + p + 1);
                let from = line.max(*done);
                let to = if multiline {
                    (m.end() + AFTER_MULTILINE).min(data.len())
                } else {
                    let limit = (m.end() + AFTER_LINE).min(data.len());
                    data.get(m.end()..limit)
                        .unwrap_or_default()
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(limit, |p| m.end() + p)
                };
                let region = data.get(from..to).unwrap_or_default();
                for caps in rule.re.captures_iter(region) {
                    let Some(s) = rule.secret(&caps) else {
                        continue;
                    };
                    if rule.valid(s.as_bytes()) {
                        hits.push(Hit {
                            rule: r,
                            start: from + s.start(),
                            end: from + s.end(),
                        });
                    }
                }
                *done = to;
            }
        }
        hits.sort_by_key(|h| (h.start, h.rule));
        hits.dedup();
        hits
    }
}

/// 1-based line and column of byte offsets, computed in one forward pass.
pub struct LineIndex<'a> {
    data: &'a [u8],
    pos: usize,
    line: u64,
    line_start: usize,
}

impl<'a> LineIndex<'a> {
    /// An index over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// Line and column of `offset` (offsets must not decrease between calls).
    pub fn at(&mut self, offset: usize) -> (u64, u64) {
        if offset < self.pos {
            *self = Self::new(self.data);
        }
        let upto = offset.min(self.data.len());
        let read = self.data.get(self.pos..upto).unwrap_or_default();
        for (i, &b) in read.iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.pos + i + 1;
            }
        }
        self.pos = upto;
        (self.line, (offset - self.line_start + 1) as u64)
    }
}

/// The line containing `offset`.
pub fn line_of(data: &[u8], offset: usize) -> &[u8] {
    let (before, after) = data.split_at_checked(offset).unwrap_or((data, &[]));
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let end = after
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |p| offset + p);
    data.get(start..end).unwrap_or_default()
}

/// An `nhi:allow` comment on a line: its reason (the text after it), or a default.
pub fn inline_allow(line: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(line);
    let (_, after) = text.split_once("nhi:allow")?;
    let mut reason = after.trim().trim_start_matches([':', '-', ' ']).trim();
    for end in ["*/", "-->"] {
        reason = reason.strip_suffix(end).unwrap_or(reason).trim();
    }
    Some(if reason.is_empty() {
        "nhi:allow comment on the line".to_string()
    } else {
        format!("nhi:allow: {reason}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_allow() {
        let d = b"a\nbc\ndef";
        let mut ix = LineIndex::new(d);
        assert_eq!(ix.at(0), (1, 1));
        assert_eq!(ix.at(3), (2, 2));
        assert_eq!(ix.at(7), (3, 3));
        assert_eq!(line_of(d, 3), b"bc");
        assert_eq!(
            inline_allow(b"key = 'x' # nhi:allow test fixture").as_deref(),
            Some("nhi:allow: test fixture")
        );
        assert!(inline_allow(b"key = 'x'").is_none());
    }

    #[test]
    fn hostile_lines_and_allow_comments() {
        assert_eq!(line_of(b"", 0), b"");
        assert_eq!(line_of(b"\n", 0), b"");
        assert_eq!(line_of(b"\n", 1), b"");
        assert_eq!(line_of("é\nü".as_bytes(), 3), "ü".as_bytes());
        assert_eq!(line_of(b"abc", 3), b"abc");
        let mut ix = LineIndex::new(b"");
        assert_eq!(ix.at(0), (1, 1));
        assert_eq!(
            inline_allow(b"nhi:allow").as_deref(),
            Some("nhi:allow comment on the line")
        );
        assert_eq!(
            inline_allow("x nhi:allow é".as_bytes()).as_deref(),
            Some("nhi:allow: é")
        );
        assert_eq!(
            inline_allow("é😀nhi:allow:😀 -->".as_bytes()).as_deref(),
            Some("nhi:allow: 😀")
        );
        assert_eq!(
            inline_allow(&[
                0xff, b'n', b'h', b'i', b':', b'a', b'l', b'l', b'o', b'w', 0xc3
            ])
            .as_deref(),
            Some("nhi:allow: \u{fffd}")
        );
        assert!(inline_allow("nhi:allo😀w".as_bytes()).is_none());
    }

    #[test]
    fn scan_at_the_edges_of_the_buffer() {
        let rules = super::super::rules::parse(
            "rules:\n  - id: r\n    name: n\n    provider: p\n    kind: token\n    pattern: 'tok=([a-z]+)'\n    keywords: [tok]\n",
            "test.yaml",
        )
        .unwrap();
        let engine = Engine::new(rules).unwrap();
        assert!(engine.scan(b"").is_empty());
        assert!(engine.scan(b"tok").is_empty());
        assert!(engine.scan(b"tok=").is_empty());
        assert_eq!(
            engine.scan("é\u{301}tok=abc".as_bytes()),
            [Hit {
                rule: 0,
                start: 8,
                end: 11
            }]
        );
        assert_eq!(
            engine.scan("tok=ab\ntok=cd😀".as_bytes()),
            [
                Hit {
                    rule: 0,
                    start: 4,
                    end: 6
                },
                Hit {
                    rule: 0,
                    start: 11,
                    end: 13
                }
            ]
        );
        // A keyword far past the start and long lines on both sides.
        let mut data = vec![0xc3u8; 5000];
        data.extend_from_slice(b"tok=xyz");
        data.extend(vec![0xa9u8; 5000]);
        assert_eq!(
            engine.scan(&data),
            [Hit {
                rule: 0,
                start: 5004,
                end: 5007
            }]
        );
    }
}
