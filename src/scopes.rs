//! The scope catalogue (data/scope-catalogue.yaml): what an OAuth scope or API permission
//! lets its holder do, per provider namespace. Rates identities' privilege levels and feeds
//! the oauth-scope-sensitive rule.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Identity, PrivilegeLevel};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    catalogues: BTreeMap<String, Vec<Entry>>,
    ids: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    scope: String,
    level: String,
    #[serde(default)]
    sensitive: Option<String>,
}

/// How the catalogue rates one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// The scope as granted.
    pub scope: String,
    /// What it allows.
    pub level: PrivilegeLevel,
    /// Why it deserves review, when it does.
    pub sensitive: Option<String>,
}

fn catalogue() -> &'static Catalogue {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    CAT.get_or_init(|| {
        serde_saphyr::from_str(include_str!("../data/scope-catalogue.yaml"))
            .expect("the embedded scope catalogue parses")
    })
}

fn level(s: &str) -> PrivilegeLevel {
    match s {
        "admin" => PrivilegeLevel::Admin,
        "write" => PrivilegeLevel::Write,
        _ => PrivilegeLevel::Read,
    }
}

/// `*` matches any text; comparison ignores ASCII case.
pub fn matches(pattern: &str, s: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let s = s.to_ascii_lowercase();
    let Some((first, after)) = p.split_once('*') else {
        return p == s;
    };
    // `first*mid*…*mid*last`: the middle parts are those between the first and the last star.
    let (mids, last) = match after.rsplit_once('*') {
        Some((mids, last)) => (Some(mids), last),
        None => (None, after),
    };
    // The prefix and the suffix must not overlap.
    let Some(mut rest) = s
        .strip_prefix(first)
        .and_then(|rest| rest.strip_suffix(last))
    else {
        return false;
    };
    for mid in mids.into_iter().flat_map(|m| m.split('*')) {
        match rest.split_once(mid) {
            Some((_, after)) => rest = after,
            None => return false,
        }
    }
    true
}

/// The namespaces the catalogue rates.
pub fn namespaces() -> Vec<&'static str> {
    catalogue().catalogues.keys().map(String::as_str).collect()
}

/// How a scope is rated in a namespace (None: not in the catalogue).
pub fn rate_scope(namespace: &str, scope: &str) -> Option<Rating> {
    let entries = catalogue().catalogues.get(namespace)?;
    entries
        .iter()
        .find(|e| matches(&e.scope, scope))
        .map(|e| Rating {
            scope: scope.to_string(),
            level: level(&e.level),
            sensitive: e.sensitive.clone(),
        })
}

/// A permission id's name in a namespace (Graph app role ids), if known.
pub fn id_name(namespace: &str, id: &str) -> Option<&'static str> {
    catalogue()
        .ids
        .get(namespace)?
        .get(&id.to_ascii_lowercase())
        .map(String::as_str)
}

/// The ratings of an identity's scopes in its namespace (`scope_catalogue` attribute).
pub fn ratings(i: &Identity) -> Vec<Rating> {
    let Some(ns) = i.text("scope_catalogue") else {
        return Vec::new();
    };
    i.privileges
        .scopes
        .iter()
        .filter_map(|s| rate_scope(ns, s))
        .collect()
}

/// Sets an identity's privilege level from its scopes (never lowers a stated level), with
/// the deciding scopes as the basis. Scopes the catalogue does not know count as read.
pub fn rate(i: &mut Identity) {
    if i.privileges.scopes.is_empty() {
        return;
    }
    let rated = ratings(i);
    let top = rated
        .iter()
        .map(|r| r.level)
        .max()
        .unwrap_or(PrivilegeLevel::Read);
    if top >= i.privileges.level {
        let deciding: Vec<&str> = rated
            .iter()
            .filter(|r| r.level == top)
            .map(|r| r.scope.as_str())
            .collect();
        let basis = if deciding.is_empty() {
            format!(
                "{} scope(s), none in the scope catalogue: rated read",
                i.privileges.scopes.len()
            )
        } else {
            format!(
                "scope(s) rated {}: {}",
                format!("{top:?}").to_lowercase(),
                deciding.join(", ")
            )
        };
        i.privileges.level = top;
        i.privileges.basis.push(basis);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_first_match() {
        assert!(matches("*.ReadWrite.All", "Files.ReadWrite.All"));
        assert!(matches("okta.*.manage", "okta.users.manage"));
        assert!(!matches("okta.*.manage", "okta.users.read"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("ab*ba", "aba"));
        let r = rate_scope("graph", "Directory.ReadWrite.All").unwrap();
        assert_eq!(r.level, PrivilegeLevel::Admin);
        assert!(r.sensitive.is_some());
        assert_eq!(
            rate_scope("graph", "User.Read").unwrap().level,
            PrivilegeLevel::Read
        );
        assert_eq!(
            rate_scope("graph", "Notes.ReadWrite").unwrap().level,
            PrivilegeLevel::Write
        );
        assert_eq!(
            rate_scope("gitlab", "read_api").unwrap().level,
            PrivilegeLevel::Read
        );
        assert_eq!(
            rate_scope("slack", "chat:write").unwrap().level,
            PrivilegeLevel::Write
        );
        assert_eq!(rate_scope("nope", "x"), None);
        assert_eq!(
            id_name("graph", "E2A3A72E-5F79-4C64-B1B1-878B674786C9"),
            Some("Mail.ReadWrite")
        );
    }

    #[test]
    fn rates_identities() {
        let mut i = crate::rules::test_support::machine("x");
        i.attributes
            .insert("scope_catalogue".into(), serde_json::json!("graph"));
        i.privileges.scopes = vec!["User.Read".into(), "Application.ReadWrite.All".into()];
        rate(&mut i);
        assert_eq!(i.privileges.level, PrivilegeLevel::Admin);
        assert!(i.privileges.basis[0].contains("Application.ReadWrite.All"));
    }

    #[test]
    fn hostile_patterns_match_without_panicking() {
        assert!(matches("*", ""));
        assert!(matches("*", "é😀"));
        assert!(matches("**", ""));
        assert!(matches("", ""));
        assert!(!matches("", "x"));
        assert!(!matches("a*a", "a"), "prefix and suffix overlap");
        assert!(
            !matches("é*é", "é"),
            "prefix and suffix overlap inside a character"
        );
        assert!(matches("é*é", "éé"));
        assert!(matches("*é", "aé"));
        assert!(!matches("*é", "e"));
        assert!(matches("😀*😀*😀", "😀x😀y😀"));
        assert!(!matches("😀*😀*😀", "😀😀"));
        assert!(matches("a**b", "ab"));
        assert!(!matches("x*é*y", "xy"));
        assert!(matches("Files.*.Åll", "files.read.Åll"));
    }
}
