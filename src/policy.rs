//! The IAM policy language: documents, statements, wildcard matching and evaluation.
//!
//! Permission rules ask "can this identity do X to a resource of type Y?" the way IAM answers
//! it: an explicit, unconditional Deny wins; `NotAction` and `NotResource` are honoured;
//! inline, managed and group-inherited policies all count; a statement whose condition cannot
//! hold for a machine credential (MFA required) or for the service in question
//! (`iam:PassedToService`) grants nothing; and a grant only on an unrelated resource, or only on
//! the principal itself (`${aws:username}`), does not reach the resource type asked about.
//!
//! Evidence documents arrive either decoded (the AWS CLI) or URL-encoded (the raw API), with
//! scalars or arrays wherever IAM allows either; [`PolicyDocument`] accepts all of these and
//! always serialises the normalised form (arrays).

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::model::PolicyAttachment;

/// A policy document (identity policy or trust policy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyDocument {
    /// Policy language version.
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Optional policy id.
    #[serde(rename = "Id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The statements (a single object is accepted and normalised to a list).
    #[serde(
        rename = "Statement",
        deserialize_with = "one_or_many_statements",
        default
    )]
    pub statement: Vec<Statement>,
}

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Denies, overriding any Allow.
    Deny,
}

/// A principal element: `"*"` or a map of principal type to values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Principal {
    /// `"*"`: anyone.
    Any(String),
    /// `{"AWS": [...], "Service": [...], "Federated": [...]}`.
    Map(#[serde(deserialize_with = "principal_map")] BTreeMap<String, Vec<String>>),
}

impl Principal {
    /// Every (type, value) pair; `"*"` is reported as type `*`.
    pub fn entries(&self) -> Vec<(&str, &str)> {
        match self {
            Principal::Any(s) => vec![("*", s.as_str())],
            Principal::Map(m) => m
                .iter()
                .flat_map(|(k, vs)| vs.iter().map(move |v| (k.as_str(), v.as_str())))
                .collect(),
        }
    }
}

/// Condition block: operator → key → values.
pub type Conditions = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Statement {
    /// Statement id.
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Allow or Deny.
    #[serde(rename = "Effect")]
    pub effect: Effect,
    /// Who (trust and resource policies).
    #[serde(rename = "Principal", default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    /// Everyone but these.
    #[serde(
        rename = "NotPrincipal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub not_principal: Option<Principal>,
    /// Actions.
    #[serde(
        rename = "Action",
        default,
        deserialize_with = "string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub action: Vec<String>,
    /// Every action but these.
    #[serde(
        rename = "NotAction",
        default,
        deserialize_with = "string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub not_action: Vec<String>,
    /// Resources.
    #[serde(
        rename = "Resource",
        default,
        deserialize_with = "string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resource: Vec<String>,
    /// Every resource but these.
    #[serde(
        rename = "NotResource",
        default,
        deserialize_with = "string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub not_resource: Vec<String>,
    /// Conditions.
    #[serde(
        rename = "Condition",
        default,
        deserialize_with = "conditions",
        skip_serializing_if = "Option::is_none"
    )]
    pub condition: Option<Conditions>,
}

impl Statement {
    /// Every (operator, key, values) of the condition block; keys compared case-insensitively.
    pub fn condition_entries(&self) -> impl Iterator<Item = (&str, &str, &[String])> {
        self.condition.iter().flat_map(|c| {
            c.iter().flat_map(|(op, kv)| {
                kv.iter()
                    .map(move |(k, v)| (op.as_str(), k.as_str(), v.as_slice()))
            })
        })
    }

    /// Whether the condition block names this key (case-insensitive, any operator).
    pub fn has_condition_key(&self, key: &str) -> bool {
        self.condition_entries()
            .any(|(_, k, _)| k.eq_ignore_ascii_case(key))
    }

    /// A short human description of the statement's action and resource elements.
    pub fn describe(&self) -> String {
        let eff = match self.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        let acts = if self.not_action.is_empty() {
            self.action.join(", ")
        } else {
            format!("everything except {}", self.not_action.join(", "))
        };
        let res = if !self.not_resource.is_empty() {
            format!("everything except {}", self.not_resource.join(", "))
        } else if self.resource.is_empty() {
            "*".to_string()
        } else {
            self.resource.join(", ")
        };
        let cond = if self.condition.is_some() {
            " (with conditions)"
        } else {
            ""
        };
        format!("{eff} {acts} on {res}{cond}")
    }
}

impl PolicyDocument {
    /// Parses a document that is either a JSON object or a (possibly URL-encoded) JSON string.
    pub fn from_value(v: &serde_json::Value) -> Result<Self, String> {
        match v {
            serde_json::Value::String(s) => Self::from_text(s),
            other => serde_json::from_value(other.clone()).map_err(|e| e.to_string()),
        }
    }

    /// Parses a policy document from text, URL-decoding it first when it is encoded.
    pub fn from_text(s: &str) -> Result<Self, String> {
        let trimmed = s.trim_start();
        let decoded;
        let text = if trimmed.starts_with('{') {
            s
        } else {
            decoded = percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map_err(|e| format!("URL-encoded policy is not UTF-8: {e}"))?;
            decoded.as_ref()
        };
        serde_json::from_str(text).map_err(|e| format!("policy document is not valid JSON: {e}"))
    }
}

// ---------------------------------------------------------------------------------------------
// Wildcard matching.

/// IAM wildcard match of `pattern` (`*`, `?`) against `text`, where `text` is taken literally
/// (its own `*` is just a character, so `glob_match("iam:*", "iam:*")` holds but
/// `glob_match("iam:Get*", "iam:*")` does not: the pattern covers the text).
pub fn glob_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let p: Vec<char> = norm(pattern, ignore_case);
    let t: Vec<char> = norm(text, ignore_case);
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while let Some(&tc) = t.get(ti) {
        let pc = p.get(pi).copied();
        if pc.is_some_and(|c| c == '?' || c == tc) {
            pi += 1;
            ti += 1;
        } else if pc == Some('*') {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    // What is left of the pattern must be stars only.
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// Whether two wildcard patterns can match a common string.
pub fn globs_intersect(a: &str, b: &str, ignore_case: bool) -> bool {
    let a = norm(a, ignore_case);
    let b = norm(b, ignore_case);
    // reach(i, j): prefixes a[..i] and b[..j] can be consumed producing the same string.
    let (n, m) = (a.len(), b.len());
    let mut reach = Grid::new(n + 1, m + 1);
    reach.set(0, 0);
    for i in 0..=n {
        for j in 0..=m {
            if !reach.get(i, j) {
                continue;
            }
            let (x, y) = (a.get(i).copied(), b.get(j).copied());
            // A star may match the empty string.
            if x == Some('*') {
                reach.set(i + 1, j);
            }
            if y == Some('*') {
                reach.set(i, j + 1);
            }
            if let (Some(x), Some(y)) = (x, y) {
                let single = |c: char, other: char| c == '?' || other == '?' || c == other;
                match (x == '*', y == '*') {
                    // Both stars: either may absorb one character of the other side's output.
                    (true, true) => {
                        reach.set(i + 1, j + 1);
                        reach.set(i, j + 1);
                        reach.set(i + 1, j);
                    }
                    // A star absorbs b's character and stays.
                    (true, false) => reach.set(i, j + 1),
                    (false, true) => reach.set(i + 1, j),
                    (false, false) => {
                        if single(x, y) {
                            reach.set(i + 1, j + 1);
                        }
                    }
                }
            }
        }
    }
    reach.get(n, m)
}

/// A rows × columns table of flags; cells outside it read as unset and ignore writes.
struct Grid {
    rows: usize,
    columns: usize,
    cells: Vec<bool>,
}

impl Grid {
    fn new(rows: usize, columns: usize) -> Self {
        Self {
            rows,
            columns,
            cells: vec![false; rows * columns],
        }
    }

    fn cell(&self, row: usize, column: usize) -> Option<usize> {
        (row < self.rows && column < self.columns).then(|| row * self.columns + column)
    }

    fn get(&self, row: usize, column: usize) -> bool {
        self.cell(row, column)
            .and_then(|ix| self.cells.get(ix))
            .is_some_and(|&c| c)
    }

    fn set(&mut self, row: usize, column: usize) {
        if let Some(c) = self.cell(row, column).and_then(|ix| self.cells.get_mut(ix)) {
            *c = true;
        }
    }
}

fn norm(s: &str, ignore_case: bool) -> Vec<char> {
    if ignore_case {
        s.to_ascii_lowercase().chars().collect()
    } else {
        s.chars().collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

/// How the resource asked about must be matched by a statement's `Resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Some resource of this pattern (e.g. any policy) is enough.
    Some,
    /// Every resource of this pattern must be covered (e.g. `*` for full admin).
    All,
}

/// A question to the evaluator.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The action (`iam:CreatePolicyVersion`), or a wildcard taken literally (`iam:*`).
    pub action: &'a str,
    /// The resource pattern (`arn:aws:iam::*:policy/*`, `*`).
    pub resource: &'a str,
    /// Some resource, or all of them.
    pub reach: Reach,
    /// For `iam:PassRole`: the service the role must be passable to.
    pub passed_to: Option<&'a str>,
    /// Resources naming the principal itself (`${aws:username}`) do not count.
    pub exclude_self: bool,
}

impl<'a> Query<'a> {
    /// A query for some resource of a pattern.
    pub fn some(action: &'a str, resource: &'a str) -> Self {
        Self {
            action,
            resource,
            reach: Reach::Some,
            passed_to: None,
            exclude_self: false,
        }
    }

    /// A query for every resource of a pattern.
    pub fn all(action: &'a str, resource: &'a str) -> Self {
        Self {
            reach: Reach::All,
            ..Self::some(action, resource)
        }
    }
}

/// The statement that decided a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The policy's name and how it is attached.
    pub policy: String,
    /// The statement's index in the policy.
    pub statement: usize,
    /// The statement, described.
    pub text: String,
    /// The grant depends on a condition (that does not obviously defeat it).
    pub conditional: bool,
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} statement {}: {}",
            self.policy, self.statement, self.text
        )
    }
}

/// The answer to a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Allowed by this statement.
    Allowed(Grant),
    /// Allowed somewhere but explicitly denied by this statement.
    Denied(Grant),
    /// Not allowed by anything.
    NotAllowed,
}

impl Decision {
    /// The granting statement, when allowed.
    pub fn grant(&self) -> Option<&Grant> {
        match self {
            Decision::Allowed(g) => Some(g),
            _ => None,
        }
    }
}

/// Evaluates a query against an identity's policies.
pub fn evaluate(policies: &[PolicyAttachment], q: &Query<'_>) -> Decision {
    let mut allow: Option<Grant> = None;
    for p in policies {
        let Some(doc) = &p.document else { continue };
        for (ix, st) in doc.statement.iter().enumerate() {
            let grant = || Grant {
                policy: format!("{} ({})", p.name, p.via),
                statement: ix,
                text: st.describe(),
                conditional: st.condition.is_some(),
            };
            match st.effect {
                Effect::Deny => {
                    if denies(st, q) {
                        return Decision::Denied(grant());
                    }
                }
                Effect::Allow => {
                    if allow.as_ref().is_none_or(|g| g.conditional) && allows(st, q) {
                        allow = Some(grant());
                    }
                }
            }
        }
    }
    allow.map(Decision::Allowed).unwrap_or(Decision::NotAllowed)
}

fn action_applies_allow(st: &Statement, action: &str) -> bool {
    if !st.not_action.is_empty() {
        return !st
            .not_action
            .iter()
            .any(|p| globs_intersect(p, action, true));
    }
    st.action.iter().any(|p| glob_match(p, action, true))
}

fn names_self(pattern: &str) -> bool {
    let l = pattern.to_ascii_lowercase();
    l.contains("${aws:username}") || l.contains("${aws:userid}") || l.contains("${aws:principal")
}

fn allows(st: &Statement, q: &Query<'_>) -> bool {
    if !action_applies_allow(st, q.action) {
        return false;
    }
    let resource_ok = if !st.not_resource.is_empty() {
        // Applies to everything outside NotResource: fails only if NotResource covers the target.
        match q.reach {
            Reach::Some => !st
                .not_resource
                .iter()
                .any(|p| glob_match(p, q.resource, false)),
            Reach::All => false,
        }
    } else if st.resource.is_empty() {
        true
    } else {
        st.resource.iter().any(|p| {
            if q.exclude_self && names_self(p) {
                return false;
            }
            match q.reach {
                Reach::Some => globs_intersect(p, q.resource, false),
                Reach::All => glob_match(p, q.resource, false),
            }
        })
    };
    resource_ok && !condition_defeats(st, q)
}

fn denies(st: &Statement, q: &Query<'_>) -> bool {
    // A conditional Deny may not apply; only an unconditional one is taken to win.
    if st.condition.is_some() {
        return false;
    }
    // Asking for *every* action or resource, a Deny of any part of it defeats the answer;
    // asking for *some*, the Deny must cover all of it.
    let all = q.reach == Reach::All;
    let action_hit = if !st.not_action.is_empty() {
        !st.not_action.iter().any(|p| {
            if all {
                glob_match(p, q.action, true)
            } else {
                globs_intersect(p, q.action, true)
            }
        })
    } else {
        st.action.iter().any(|p| {
            if all {
                globs_intersect(p, q.action, true)
            } else {
                glob_match(p, q.action, true)
            }
        })
    };
    if !action_hit {
        return false;
    }
    if !st.not_resource.is_empty() {
        return !st
            .not_resource
            .iter()
            .any(|p| globs_intersect(p, q.resource, false));
    }
    st.resource.is_empty()
        || st.resource.iter().any(|p| {
            if all {
                globs_intersect(p, q.resource, false)
            } else {
                glob_match(p, q.resource, false)
            }
        })
}

/// Conditions that cannot hold for the query: MFA required (a machine credential has none), or
/// `iam:PassedToService` limited to other services.
fn condition_defeats(st: &Statement, q: &Query<'_>) -> bool {
    for (op, key, values) in st.condition_entries() {
        let key_l = key.to_ascii_lowercase();
        let op_l = op.to_ascii_lowercase();
        if key_l == "aws:multifactorauthpresent"
            && op_l == "bool"
            && values.iter().any(|v| v.eq_ignore_ascii_case("true"))
        {
            return true;
        }
        if let (true, Some(svc)) = (key_l == "iam:passedtoservice", q.passed_to) {
            let like = op_l.contains("like");
            let negated = op_l.starts_with("stringnot");
            let hit = values.iter().any(|v| {
                if like {
                    glob_match(v, svc, true)
                } else {
                    v.eq_ignore_ascii_case(svc)
                }
            });
            if hit == negated {
                return true;
            }
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Lenient deserialisers for IAM's "scalar or array" elements.

struct StringListVisitor;

impl<'de> Visitor<'de> for StringListVisitor {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number, boolean, or a list of them")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<serde_json::Value>()? {
            match v {
                serde_json::Value::String(s) => out.push(s),
                serde_json::Value::Null => {}
                serde_json::Value::Bool(b) => out.push(b.to_string()),
                serde_json::Value::Number(n) => out.push(n.to_string()),
                other => return Err(de::Error::custom(format!("unexpected {other} in a list"))),
            }
        }
        Ok(out)
    }
}

fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(StringListVisitor)
}

fn principal_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    struct L(#[serde(deserialize_with = "string_list")] Vec<String>);
    let m: BTreeMap<String, L> = BTreeMap::deserialize(d)?;
    Ok(m.into_iter().map(|(k, v)| (k, v.0)).collect())
}

fn conditions<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Conditions>, D::Error> {
    #[derive(Deserialize)]
    struct L(#[serde(deserialize_with = "string_list")] Vec<String>);
    let m: Option<BTreeMap<String, BTreeMap<String, L>>> = Option::deserialize(d)?;
    Ok(m.map(|m| {
        m.into_iter()
            .map(|(op, kv)| (op, kv.into_iter().map(|(k, v)| (k, v.0)).collect()))
            .collect()
    }))
}

fn one_or_many_statements<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Statement>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<Statement>),
        One(Box<Statement>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::Many(v) => v,
        OneOrMany::One(s) => vec![*s],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn att(json: &str) -> PolicyAttachment {
        PolicyAttachment {
            name: "p".into(),
            arn: None,
            via: "inline".into(),
            document: Some(PolicyDocument::from_text(json).unwrap()),
        }
    }

    #[test]
    fn glob_basics() {
        assert!(glob_match("*", "iam:*", true));
        assert!(glob_match("iam:*", "iam:CreatePolicyVersion", true));
        assert!(glob_match("IAM:create*", "iam:CreatePolicyVersion", true));
        assert!(!glob_match("iam:Get*", "iam:*", true));
        assert!(glob_match(
            "arn:aws:s3:::b?cket",
            "arn:aws:s3:::bucket",
            false
        ));
        assert!(!glob_match(
            "arn:aws:s3:::bucket",
            "arn:aws:s3:::bucket2",
            false
        ));
    }

    #[test]
    fn glob_intersection() {
        assert!(globs_intersect(
            "arn:aws:iam::123:policy/x",
            "arn:aws:iam::*:policy/*",
            false
        ));
        assert!(!globs_intersect(
            "arn:aws:s3:::bucket/*",
            "arn:aws:iam::*:policy/*",
            false
        ));
        assert!(globs_intersect("*", "anything", false));
        assert!(globs_intersect("a*c", "ab*", false));
        assert!(!globs_intersect("a*c", "b*", false));
        assert!(globs_intersect("iam:*", "*:*", true));
    }

    #[test]
    fn accepts_scalars_arrays_and_url_encoding() {
        let enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22*%22%7D%7D";
        let d = PolicyDocument::from_text(enc).unwrap();
        assert_eq!(d.statement.len(), 1);
        assert_eq!(d.statement[0].action, vec!["s3:GetObject"]);
        let d = PolicyDocument::from_text(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["sts:AssumeRole"],
            "Condition":{"Bool":{"aws:SecureTransport":true}}}]}"#,
        )
        .unwrap();
        assert_eq!(
            d.statement[0].principal.as_ref().unwrap().entries(),
            vec![("AWS", "*")]
        );
        assert!(d.statement[0].has_condition_key("AWS:SecureTransport"));
        assert!(PolicyDocument::from_text("{nope").is_err());
    }

    #[test]
    fn explicit_deny_wins() {
        let p = att(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},
            {"Effect":"Deny","Action":"iam:AttachUserPolicy","Resource":"*"}]}"#,
        );
        let q = Query::some("iam:AttachUserPolicy", "arn:aws:iam::*:user/*");
        assert!(matches!(
            evaluate(std::slice::from_ref(&p), &q),
            Decision::Denied(_)
        ));
        let q = Query::some("iam:CreatePolicyVersion", "arn:aws:iam::*:policy/*");
        assert!(matches!(evaluate(&[p], &q), Decision::Allowed(_)));
    }

    #[test]
    fn not_action_and_not_resource() {
        let power = att(
            r#"{"Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}"#,
        );
        assert_eq!(
            evaluate(std::slice::from_ref(&power), &Query::all("iam:*", "*")),
            Decision::NotAllowed
        );
        assert!(
            evaluate(
                std::slice::from_ref(&power),
                &Query::some("ec2:RunInstances", "*")
            )
            .grant()
            .is_some()
        );
        assert_eq!(
            evaluate(&[power], &Query::some("iam:PassRole", "*")),
            Decision::NotAllowed
        );
        let nr = att(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::*:role/*"}]}"#,
        );
        assert_eq!(
            evaluate(&[nr], &Query::some("iam:PassRole", "arn:aws:iam::*:role/*")),
            Decision::NotAllowed
        );
    }

    #[test]
    fn unrelated_resource_and_self_do_not_count() {
        let s3 = att(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:s3:::bucket"}]}"#,
        );
        assert_eq!(
            evaluate(&[s3], &Query::some("iam:PassRole", "arn:aws:iam::*:role/*")),
            Decision::NotAllowed
        );
        let own = att(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::1:user/${aws:username}"}]}"#,
        );
        let mut q = Query::some("iam:CreateAccessKey", "arn:aws:iam::*:user/*");
        assert!(evaluate(std::slice::from_ref(&own), &q).grant().is_some());
        q.exclude_self = true;
        assert_eq!(evaluate(&[own], &q), Decision::NotAllowed);
    }

    #[test]
    fn defeating_conditions() {
        let pass = att(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
            "Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}"#,
        );
        let mut q = Query::some("iam:PassRole", "arn:aws:iam::*:role/*");
        q.passed_to = Some("ec2.amazonaws.com");
        assert_eq!(
            evaluate(std::slice::from_ref(&pass), &q),
            Decision::NotAllowed
        );
        q.passed_to = Some("ecs-tasks.amazonaws.com");
        assert!(evaluate(&[pass], &q).grant().unwrap().conditional);
        let mfa = att(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
        );
        assert_eq!(
            evaluate(&[mfa], &Query::all("*", "*")),
            Decision::NotAllowed
        );
    }

    #[test]
    fn hostile_wildcards_do_not_panic() {
        assert!(glob_match("*", "", false));
        assert!(glob_match("", "", false));
        assert!(!glob_match("", "é", false));
        assert!(glob_match("?", "😀", false));
        assert!(!glob_match("??", "😀", false));
        assert!(glob_match("é*😀", "éx😀", true));
        assert!(glob_match("**?", "é", false));
        assert!(!glob_match("a", "*", false));
        assert!(!glob_match("*a", "", false));
        assert!(globs_intersect("", "", false));
        assert!(globs_intersect("*", "", false));
        assert!(globs_intersect("", "**", false));
        assert!(!globs_intersect("?", "", false));
        assert!(!globs_intersect("", "?", false));
        assert!(globs_intersect("é*", "*😀", false));
        assert!(globs_intersect("?", "😀", false));
        assert!(!globs_intersect("é", "e", false));
        assert!(globs_intersect("**", "?*?", false));
        for doc in ["", "%", "%E9", "%C3%", "%7B", "{", "é", "😀"] {
            assert!(PolicyDocument::from_text(doc).is_err(), "{doc:?}");
        }
    }
}
