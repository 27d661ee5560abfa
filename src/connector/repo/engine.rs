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
                match keywords.iter().position(|x| *x == k) {
                    Some(p) => owners[p].push(ix),
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
            for &r in &self.owners[m.pattern().as_usize()] {
                if m.end() <= done[r] {
                    continue; // Already searched.
                }
                // From the start of the line (so anchors and \b see the real context), at most
                // BEFORE bytes back, never re-searching what was searched.
                let back = m.start().saturating_sub(BEFORE);
                let line = data[back..m.start()]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(back, |p| back + p + 1);
                let from = line.max(done[r]);
                let to = if self.multiline[r] {
                    (m.end() + AFTER_MULTILINE).min(data.len())
                } else {
                    let limit = (m.end() + AFTER_LINE).min(data.len());
                    data[m.end()..limit]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(limit, |p| m.end() + p)
                };
                let rule = &self.rules[r];
                for caps in rule.re.captures_iter(&data[from..to]) {
                    let Some(s) = rule.secret(&caps) else {
                        continue;
                    };
                    let (start, end) = (from + s.start(), from + s.end());
                    if rule.valid(&data[start..end]) {
                        hits.push(Hit {
                            rule: r,
                            start,
                            end,
                        });
                    }
                }
                done[r] = to;
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
        for (i, &b) in self.data[self.pos..offset].iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.pos + i + 1;
            }
        }
        self.pos = offset;
        (self.line, (offset - self.line_start + 1) as u64)
    }
}

/// The line containing `offset`.
pub fn line_of(data: &[u8], offset: usize) -> &[u8] {
    let start = data[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let end = data[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |p| offset + p);
    &data[start..end]
}

/// An `nhi:allow` comment on a line: its reason (the text after it), or a default.
pub fn inline_allow(line: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(line);
    let at = text.find("nhi:allow")?;
    let mut reason = text[at + "nhi:allow".len()..]
        .trim()
        .trim_start_matches([':', '-', ' '])
        .trim();
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
}
