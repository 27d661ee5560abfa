//! Secret detection rules are data: YAML files embedded in the binary (data/secret-rules/),
//! extendable with `--secret-rules FILE` and `secrets.rules` in nhi.yaml. The YAML-shaped
//! [`RuleSyntax`] is kept apart from the compiled [`Rule`].

use regex::bytes::Regex;
use serde::Deserialize;

/// The embedded rule files (every file in data/secret-rules/, embedded by build.rs).
pub use crate::embedded::BUILTIN_SECRET_RULES as BUILTIN;

/// A rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Its rules.
    pub rules: Vec<RuleSyntax>,
}

/// A rule as written in YAML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSyntax {
    /// Stable kebab-case id.
    pub id: String,
    /// What it detects.
    pub name: String,
    /// The provider the credential belongs to.
    pub provider: String,
    /// The credential kind.
    pub kind: String,
    /// The regex; capture group 1 (or the whole match) is the secret.
    pub pattern: String,
    /// Literals (case-insensitive), one of which is inside every match: the prefilter.
    pub keywords: Vec<String>,
    /// A checksum or structure check.
    pub validator: Option<Validator>,
    /// A non-secret handle for correlation.
    pub handle: Option<Handle>,
    /// Lines that must match.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Lines that must not match.
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

/// Checks beyond the regex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// GitHub's CRC32 checksum in the last six base62 characters.
    GithubChecksum,
    /// Three base64url parts; the header is JSON with `alg`.
    Jwt,
    /// An AWS key id: four-letter prefix and sixteen base32 characters.
    AwsKeyId,
}

/// Non-secret handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Handle {
    /// The value is an AWS access key id, which AWS does not treat as secret.
    AwsKeyId,
    /// The last eight characters of a GitHub token, which GitHub shows.
    GithubLast8,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// What was written.
    pub syntax: RuleSyntax,
    /// The compiled pattern.
    pub re: Regex,
    /// Where it came from (`builtin:aws.yaml`, a path).
    pub origin: String,
}

impl Rule {
    /// The secret in a capture: group 1, or the whole match.
    pub fn secret<'h>(&self, caps: &regex::bytes::Captures<'h>) -> Option<regex::bytes::Match<'h>> {
        caps.get(1)
            .or_else(|| caps.get(0))
            .filter(|m| !m.is_empty())
    }

    /// Whether the validator (if any) accepts the secret.
    pub fn valid(&self, secret: &[u8]) -> bool {
        match self.syntax.validator {
            None => true,
            Some(Validator::GithubChecksum) => github_checksum(secret),
            Some(Validator::Jwt) => jwt(secret),
            Some(Validator::AwsKeyId) => aws_key_id(secret),
        }
    }

    /// The handle of a secret, when the rule has one: keyed like fingerprints, so that not
    /// even the non-secret part of a leaked credential reaches a report.
    pub fn handle(&self, secret: &[u8]) -> Option<String> {
        let s = std::str::from_utf8(secret).ok()?;
        Some(match self.syntax.handle? {
            Handle::AwsKeyId => handle("aws-key-id", s),
            Handle::GithubLast8 => handle("github-last8", crate::text::last_chars(s, 8)),
        })
    }
}

/// A correlation handle: its kind and a keyed hash of the non-secret part
/// (`aws-key-id:<hmac>`). Live credentials are hashed the same way to be compared.
pub fn handle(kind: &str, value: &str) -> String {
    format!(
        "{kind}:{}",
        crate::secret::fingerprint(format!("{kind}:{value}").as_bytes())
    )
}

fn base62_value(s: &[u8]) -> Option<u64> {
    s.iter().try_fold(0u64, |acc, &c| {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'Z' => c - b'A' + 10,
            b'a'..=b'z' => c - b'a' + 36,
            _ => return None,
        };
        acc.checked_mul(62)?.checked_add(u64::from(d))
    })
}

/// GitHub tokens: the part after the last `_` ends with a base62 CRC32 of the rest of it.
pub fn github_checksum(token: &[u8]) -> bool {
    let last = token.rsplit(|&b| b == b'_').next().unwrap_or(token);
    if last.len() <= 6 || !last.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (payload, check) = last.split_at(last.len() - 6);
    base62_value(check) == Some(u64::from(crc32fast::hash(payload)))
}

fn jwt(token: &[u8]) -> bool {
    use base64::Engine;
    let mut parts = token.split(|&b| b == b'.');
    let Some(header) = parts.next() else {
        return false;
    };
    if parts.clone().count() != 2 {
        return false;
    }
    let Ok(h) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&h).is_ok_and(|v| v.get("alg").is_some())
}

fn aws_key_id(id: &[u8]) -> bool {
    id.len() == 20
        && id.split_at_checked(4).is_some_and(|(prefix, rest)| {
            [&b"AKIA"[..], b"ASIA", b"ABIA", b"ACCA"].contains(&prefix)
                && rest
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(c))
        })
}

/// Parses a rule file; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Vec<Rule>, String> {
    let file: RuleFile = serde_saphyr::from_str(text).map_err(|e| {
        let e = e.without_snippet();
        let (l, c) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        let msg = e.to_string();
        format!(
            "{origin}:{l}:{c}: {}",
            msg.split(" at line ").next().unwrap_or(&msg)
        )
    })?;
    file.rules
        .into_iter()
        .map(|syntax| {
            if syntax.keywords.iter().all(|k| k.trim().is_empty()) {
                return Err(format!(
                    "{origin}: rule {}: needs at least one keyword",
                    syntax.id
                ));
            }
            let re = regex::bytes::RegexBuilder::new(&syntax.pattern)
                .size_limit(16 << 20)
                .build()
                .map_err(|e| format!("{origin}: rule {}: bad pattern: {e}", syntax.id))?;
            Ok(Rule {
                syntax,
                re,
                origin: origin.to_string(),
            })
        })
        .collect()
}

/// The built-in rules plus extra files.
pub fn load(extra: &[std::path::PathBuf]) -> Result<Vec<Rule>, String> {
    let mut rules = Vec::new();
    for (name, text) in BUILTIN {
        rules.extend(parse(text, &format!("builtin:{name}"))?);
    }
    for p in extra {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
        let more = parse(&text, &p.display().to_string())?;
        for r in more {
            // A user rule with a built-in id replaces it.
            rules.retain(|x: &Rule| x.syntax.id != r.syntax.id);
            rules.push(r);
        }
    }
    let mut ids = std::collections::BTreeSet::new();
    for r in &rules {
        if !ids.insert(r.syntax.id.clone()) {
            return Err(format!("{}: duplicate rule id {}", r.origin, r.syntax.id));
        }
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_checksums() {
        // Published test vectors of GitHub's token format.
        for t in [
            "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",
            "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",
        ] {
            assert!(github_checksum(t.as_bytes()), "{t}");
        }
        assert!(!github_checksum(
            b"ghp_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V5"
        ));
        assert!(!github_checksum(
            b"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        ));
    }

    #[test]
    fn aws_ids_and_jwts() {
        assert!(
            !aws_key_id(b"AKIA2E0A8F3B244C9986"),
            "0, 8 and 9 are not base32"
        );
        assert!(aws_key_id(b"AKIAQYLPMN5HHHFPZAM2"));
        assert!(!aws_key_id(b"AKIAQYLPMN5HHHFPZAM1"), "1 is not base32");
        assert!(jwt(
            b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
        ));
        assert!(!jwt(b"eyJub3QiOiJqd3QifQ.eyJzdWIiOiIxIn0.c2ln"));
    }

    fn user_rule(pattern: &str, handle: &str) -> Rule {
        let yaml = format!(
            "rules:\n  - id: r\n    name: n\n    provider: p\n    kind: token\n    pattern: '{pattern}'\n    keywords: [tok]\n    handle: {handle}\n"
        );
        parse(&yaml, "test.yaml").unwrap().remove(0)
    }

    #[test]
    fn regression_github_last8_handle_of_multibyte_secret() {
        // A user rule with the GitHub handle whose pattern matches multi-byte text: the last
        // eight bytes used to be cut inside `é` (a panic).
        let rule = user_rule("tok=(\\S+)", "github-last8");
        let secret = "aé1234567";
        assert_eq!(
            rule.handle(secret.as_bytes()),
            Some(handle("github-last8", "é1234567"))
        );
        for s in ["", "é", "😀😀😀😀😀", "ééééééééé"] {
            assert_eq!(
                rule.handle(s.as_bytes()),
                Some(handle("github-last8", crate::text::last_chars(s, 8))),
                "{s:?}"
            );
        }
        // ASCII tokens keep their handle: the last eight bytes are the last eight characters.
        let t = "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";
        assert_eq!(
            rule.handle(t.as_bytes()),
            Some(handle("github-last8", "uq11T4V4"))
        );
        assert_eq!(rule.handle(&[0xff, 0xfe]), None, "not UTF-8: no handle");
    }

    #[test]
    fn hostile_validator_input() {
        for v in [
            &b""[..],
            b"_",
            b"______",
            b"AKIA",
            "AKIAéééééééé".as_bytes(),
            "é.é.é".as_bytes(),
        ] {
            assert!(!github_checksum(v), "{v:?}");
            assert!(!aws_key_id(v), "{v:?}");
            assert!(!jwt(v), "{v:?}");
        }
        assert!(
            !aws_key_id("AKIAQYLPMN5HHHFPZAé".as_bytes()),
            "twenty bytes, not base32"
        );
        assert!(
            !aws_key_id("ÅKIAQYLPMN5HHHFPZAM".as_bytes()),
            "twenty bytes, no prefix"
        );
    }
}
