//! Templates in connector manifests: `{{ record.displayName | default(record.id) }}`.
//!
//! A template is literal text with `{{ expression }}` holes. An expression is a path from a
//! root (`config`, `record`, `parent`, `item`), or a literal, followed by filters. A
//! template that is exactly one hole yields the value itself (a list stays a list); anything
//! else yields text. A path that is not in the data yields null: APIs leave fields out.
//! Templates are parsed when the manifest is loaded, so a bad one is an error with its file,
//! line and column, never a surprise mid-scan.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The names a template may start a path with.
pub const ROOTS: &[&str] = &["config", "record", "parent", "item"];

/// A parsed template with where it was written.
#[derive(Clone)]
pub struct Template {
    src: String,
    parts: Vec<Part>,
    /// A YAML boolean or number written without holes keeps its type.
    typed: Option<Value>,
    /// Line and column in the manifest (0 when built in code).
    pub line: usize,
    /// Column in the manifest.
    pub column: usize,
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.src)
    }
}

#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    Expr(Expr),
}

/// One `{{ … }}` expression.
#[derive(Debug, Clone)]
pub struct Expr {
    head: Head,
    filters: Vec<Filter>,
}

#[derive(Debug, Clone)]
enum Head {
    Path(Path),
    Lit(Value),
}

/// A path: a root name and the keys or indexes below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The root (`record`, `config`, …).
    pub root: String,
    /// Keys and indexes below the root.
    pub segs: Vec<Seg>,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

#[derive(Debug, Clone)]
struct Filter {
    name: FilterName,
    args: Vec<Head>,
}

macro_rules! filters {
    ($($variant:ident = $name:literal / $arity:literal : $doc:literal),* $(,)?) => {
        /// A filter after `|`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum FilterName { $(#[doc = $doc] $variant),* }
        impl FilterName {
            fn parse(s: &str) -> Option<Self> {
                match s { $($name => Some(Self::$variant),)* _ => None }
            }
            fn arity(self) -> usize {
                match self { $(Self::$variant => $arity),* }
            }
        }
        /// Every filter with its number of arguments and what it does (docs/connectors/).
        pub const FILTERS: &[(&str, usize, &str)] = &[$(($name, $arity, $doc)),*];
    };
}

filters! {
    Default = "default"/1: "The argument when the value is null or empty.",
    Split = "split"/1: "Text split on the argument into a list of non-empty, trimmed parts.",
    Join = "join"/1: "A list joined with the argument.",
    Lower = "lower"/0: "Lower-case text.",
    Upper = "upper"/0: "Upper-case text.",
    Trim = "trim"/0: "Text without surrounding whitespace.",
    First = "first"/0: "The first element of a list.",
    Last = "last"/0: "The last element of a list.",
    Len = "len"/0: "The length of a list, object or text.",
    Get = "get"/1: "An object's field.",
    Map = "map"/1: "The field of each object in a list.",
    Lookup = "lookup"/1: "The record an index (a stream's `index`) holds for this key.",
    Resolve = "resolve"/1: "Like lookup, but the key itself when the index does not hold it.",
    Switch = "switch"/1: "The value mapped through a table `from=to,from=to` (text compared); null when no entry matches.",
    OneOf = "one_of"/1: "Whether the value is one of the comma-separated texts of the argument.",
    Eq = "eq"/1: "Whether the value equals the argument (text compares case-sensitively).",
    Ne = "ne"/1: "Whether the value differs from the argument.",
    Not = "not"/0: "Boolean negation (null and empty are false).",
    Contains = "contains"/1: "Whether a list or text contains the argument.",
    Urlencode = "urlencode"/0: "Text percent-encoded for a path segment or query value.",
    Epoch = "epoch"/0: "Unix seconds to an RFC 3339 timestamp.",
    Prefix = "prefix"/1: "The argument, then the value (null stays null).",
    Suffix = "suffix"/1: "The value, then the argument (null stays null).",
    Replace = "replace"/2: "Text with every occurrence of the first argument replaced by the second.",
    String = "string"/0: "The value as text.",
    Compact = "compact"/0: "A list without nulls and empty texts.",
    PermissionName = "permission_name"/1: "A permission id's name from the scope catalogue's ids for the namespace given (Graph app role ids); unknown ids stay as they are.",
}

/// Why a template could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Template {
    /// Parses template text.
    pub fn parse(src: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = src;
        while let Some((lit, after)) = rest.split_once("{{") {
            if !lit.is_empty() {
                parts.push(Part::Lit(lit.to_string()));
            }
            let (inner, tail) = after
                .split_once("}}")
                .ok_or_else(|| TemplateError(format!("unclosed `{{{{` in template `{src}`")))?;
            let expr = parse_expr(inner.trim())
                .map_err(|e| TemplateError(format!("bad template `{src}`: {e}")))?;
            parts.push(Part::Expr(expr));
            rest = tail;
        }
        if rest.contains("}}") {
            return Err(TemplateError(format!(
                "bad template `{src}`: `}}}}` without `{{{{`"
            )));
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_string()));
        }
        Ok(Self {
            src: src.to_string(),
            parts,
            typed: None,
            line: 0,
            column: 0,
        })
    }

    /// A template that is literal text.
    pub fn literal(s: &str) -> Self {
        Self {
            src: s.to_string(),
            parts: vec![Part::Lit(s.to_string())],
            typed: None,
            line: 0,
            column: 0,
        }
    }

    /// A regular expression matching the paths this template renders (holes match one
    /// path segment): the loopback server of `nhi connectors check` routes with it.
    pub fn pattern(&self) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(l) => out.push_str(&regex::escape(l)),
                Part::Expr(_) => out.push_str("[^/]*"),
            }
        }
        out
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// Every path the template reads (for validation: roots, inputs, indexes).
    pub fn paths(&self) -> Vec<&Path> {
        let mut out = Vec::new();
        for p in &self.parts {
            if let Part::Expr(e) = p {
                e.paths(&mut out);
            }
        }
        out
    }

    /// Every index named by a `lookup` filter.
    pub fn lookups(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.parts {
            if let Part::Expr(e) = p {
                for f in &e.filters {
                    if matches!(f.name, FilterName::Lookup | FilterName::Resolve)
                        && let Some(Head::Lit(Value::String(s))) = f.args.first()
                    {
                        out.push(s.clone());
                    }
                }
            }
        }
        out
    }

    /// Evaluates: one hole alone yields its value; otherwise text.
    pub fn eval(&self, vars: &Vars<'_>) -> Value {
        if let Some(v) = &self.typed {
            return v.clone();
        }
        match self.parts.as_slice() {
            [Part::Expr(e)] => e.eval(vars),
            parts => {
                let mut s = String::new();
                for p in parts {
                    match p {
                        Part::Lit(l) => s.push_str(l),
                        Part::Expr(e) => s.push_str(&to_text(&e.eval(vars))),
                    }
                }
                Value::String(s)
            }
        }
    }

    /// Evaluates to non-empty text, or `None`.
    pub fn text(&self, vars: &Vars<'_>) -> Option<String> {
        let s = to_text(&self.eval(vars));
        (!s.is_empty()).then_some(s)
    }

    /// Evaluates to a boolean: true, `"true"`, a non-zero number, a non-empty list or text
    /// other than `false`.
    pub fn truthy(&self, vars: &Vars<'_>) -> bool {
        truthy(&self.eval(vars))
    }
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<Scalar>::deserialize(d)?;
        let mut t = Template::parse(&s.value.0).map_err(serde::de::Error::custom)?;
        t.typed = s.value.1;
        t.line = s.referenced.line() as usize;
        t.column = s.referenced.column() as usize;
        Ok(t)
    }
}

/// A scalar read as text (YAML `true` and `5` are templates too, and keep their type).
struct Scalar(String, Option<Value>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Scalar(s, None)),
            v @ (Value::Bool(_) | Value::Number(_)) => Ok(Scalar(v.to_string(), Some(v))),
            _ => Err(serde::de::Error::custom(
                "expected a template (text, a number or a boolean)",
            )),
        }
    }
}

/// Named lookup tables built from streams' `index` entries.
pub type Indexes = BTreeMap<String, BTreeMap<String, Value>>;

/// The data a template can see.
#[derive(Default, Clone)]
pub struct Vars<'a> {
    roots: Vec<(&'static str, &'a Value)>,
    indexes: Option<&'a Indexes>,
}

impl<'a> Vars<'a> {
    /// Adds (or shadows) a root.
    pub fn with(mut self, name: &'static str, v: &'a Value) -> Self {
        self.roots.retain(|(n, _)| *n != name);
        self.roots.push((name, v));
        self
    }

    /// Makes indexes available to `lookup`.
    pub fn indexes(mut self, ix: &'a Indexes) -> Self {
        self.indexes = Some(ix);
        self
    }

    fn root(&self, name: &str) -> Option<&'a Value> {
        self.roots.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

impl Expr {
    fn paths<'s>(&'s self, out: &mut Vec<&'s Path>) {
        if let Head::Path(p) = &self.head {
            out.push(p);
        }
        for f in &self.filters {
            for a in &f.args {
                if let Head::Path(p) = a {
                    out.push(p);
                }
            }
        }
    }

    fn eval(&self, vars: &Vars<'_>) -> Value {
        let mut v = head(&self.head, vars);
        for f in &self.filters {
            let args: Vec<Value> = f.args.iter().map(|a| head(a, vars)).collect();
            v = apply(f.name, v, &args, vars);
        }
        v
    }
}

fn head(h: &Head, vars: &Vars<'_>) -> Value {
    match h {
        Head::Lit(v) => v.clone(),
        Head::Path(p) => vars
            .root(&p.root)
            .and_then(|v| walk(v, &p.segs))
            .cloned()
            .unwrap_or(Value::Null),
    }
}

/// Follows keys and indexes below a value.
pub fn walk<'v>(mut v: &'v Value, segs: &[Seg]) -> Option<&'v Value> {
    for s in segs {
        v = match (s, v) {
            (Seg::Key(k), Value::Object(m)) => m.get(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get(*i)?,
            (Seg::Key(k), Value::Array(a)) => a.get(k.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

/// A value as text: strings as they are, null as empty, lists joined with `,`.
pub fn to_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(to_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// Truthiness used by `when`, `not` and boolean fields.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty() && !s.eq_ignore_ascii_case("false"),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn apply(f: FilterName, v: Value, args: &[Value], vars: &Vars<'_>) -> Value {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
    let text_arg = |i: usize| to_text(&arg(i));
    match f {
        FilterName::Default => {
            if is_empty(&v) {
                arg(0)
            } else {
                v
            }
        }
        FilterName::Split => match v {
            Value::String(s) => {
                let sep = text_arg(0);
                let parts: Vec<Value> = if sep.trim().is_empty() {
                    s.split_whitespace()
                        .map(|p| Value::String(p.to_string()))
                        .collect()
                } else {
                    s.split(sep.as_str())
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| Value::String(p.to_string()))
                        .collect()
                };
                Value::Array(parts)
            }
            Value::Null => Value::Null,
            other => other,
        },
        FilterName::Join => match v {
            Value::Array(a) => Value::String(
                a.iter()
                    .map(to_text)
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(&text_arg(0)),
            ),
            other => other,
        },
        FilterName::Lower => map_text(v, |s| s.to_lowercase()),
        FilterName::Upper => map_text(v, |s| s.to_uppercase()),
        FilterName::Trim => map_text(v, |s| s.trim().to_string()),
        FilterName::First => match v {
            Value::Array(a) => a.into_iter().next().unwrap_or(Value::Null),
            other => other,
        },
        FilterName::Last => match v {
            Value::Array(a) => a.into_iter().next_back().unwrap_or(Value::Null),
            other => other,
        },
        FilterName::Len => match &v {
            Value::Array(a) => a.len().into(),
            Value::Object(o) => o.len().into(),
            Value::String(s) => s.chars().count().into(),
            Value::Null => 0.into(),
            _ => Value::Null,
        },
        FilterName::Get => match v {
            Value::Object(mut o) => o.remove(&text_arg(0)).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        FilterName::Map => match v {
            Value::Array(a) => {
                let k = text_arg(0);
                Value::Array(
                    a.into_iter()
                        .map(|e| match e {
                            Value::Object(mut o) => o.remove(&k).unwrap_or(Value::Null),
                            _ => Value::Null,
                        })
                        .collect(),
                )
            }
            _ => Value::Null,
        },
        FilterName::Lookup => {
            let key = to_text(&v);
            vars.indexes
                .and_then(|ix| ix.get(&text_arg(0)))
                .and_then(|m| m.get(&key))
                .cloned()
                .unwrap_or(Value::Null)
        }
        FilterName::Resolve => {
            let key = to_text(&v);
            vars.indexes
                .and_then(|ix| ix.get(&text_arg(0)))
                .and_then(|m| m.get(&key))
                .cloned()
                .unwrap_or(v)
        }
        FilterName::Switch => {
            let t = to_text(&v);
            text_arg(0)
                .split(',')
                .filter_map(|pair| pair.split_once('='))
                .find(|(from, _)| from.trim() == t)
                .map(|(_, to)| Value::String(to.trim().to_string()))
                .unwrap_or(Value::Null)
        }
        FilterName::OneOf => {
            let t = to_text(&v);
            Value::Bool(!v.is_null() && text_arg(0).split(',').any(|x| x.trim() == t))
        }
        FilterName::Eq => Value::Bool(loose_eq(&v, &arg(0))),
        FilterName::Ne => Value::Bool(!loose_eq(&v, &arg(0))),
        FilterName::Not => Value::Bool(!truthy(&v)),
        FilterName::Contains => {
            let a = arg(0);
            Value::Bool(match &v {
                Value::Array(items) => items.iter().any(|i| loose_eq(i, &a)),
                Value::String(s) => s.contains(to_text(&a).as_str()),
                _ => false,
            })
        }
        FilterName::Urlencode => map_text(v, |s| {
            percent_encoding::utf8_percent_encode(&s, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        }),
        FilterName::Epoch => {
            let secs = match &v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            secs.filter(|s| s.is_finite() && *s > 0.0 && *s < 1.0e11)
                .and_then(|s| chrono::DateTime::from_timestamp(s as i64, 0))
                .map(|t| Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
                .unwrap_or(Value::Null)
        }
        FilterName::Prefix => {
            if v.is_null() {
                v
            } else {
                Value::String(format!("{}{}", text_arg(0), to_text(&v)))
            }
        }
        FilterName::Suffix => {
            if v.is_null() {
                v
            } else {
                Value::String(format!("{}{}", to_text(&v), text_arg(0)))
            }
        }
        FilterName::Replace => {
            let from = text_arg(0);
            if from.is_empty() {
                return v;
            }
            map_text(v, |s| s.replace(&from, &text_arg(1)))
        }
        FilterName::String => {
            if v.is_null() {
                v
            } else {
                Value::String(to_text(&v))
            }
        }
        FilterName::PermissionName => map_text(v, |s| {
            crate::scopes::id_name(&text_arg(0), &s)
                .map(str::to_string)
                .unwrap_or(s)
        }),
        FilterName::Compact => match v {
            Value::Array(a) => Value::Array(a.into_iter().filter(|e| !is_empty(e)).collect()),
            other => other,
        },
    }
}

fn map_text(v: Value, f: impl Fn(String) -> String) -> Value {
    map_text_dyn(v, &f)
}

fn map_text_dyn(v: Value, f: &dyn Fn(String) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(s)),
        Value::Array(a) => Value::Array(a.into_iter().map(|e| map_text_dyn(e, f)).collect()),
        other => other,
    }
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (x, y) => x == y || to_text(x) == to_text(y),
    }
}

// ---- parsing ----

struct Lexer<'s> {
    s: &'s str,
    pos: usize,
}

impl<'s> Lexer<'s> {
    /// The text not read yet (`pos` moves by whole characters only, so this is all of it).
    fn rest(&self) -> &'s str {
        self.s.get(self.pos..).unwrap_or_default()
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.rest().chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<&'s str> {
        self.skip_ws();
        let rest = self.rest();
        let end = rest
            .find(|c: char| {
                !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$' || c == '@')
            })
            .unwrap_or(rest.len());
        let (word, _) = rest.split_at_checked(end)?;
        self.pos += word.len();
        (!word.is_empty()).then_some(word)
    }

    fn string(&mut self) -> Result<Option<String>, String> {
        let Some(q) = self.peek().filter(|c| *c == '\'' || *c == '"') else {
            return Ok(None);
        };
        self.pos += q.len_utf8();
        match self.rest().split_once(q) {
            Some((text, _)) => {
                self.pos += text.len() + q.len_utf8();
                Ok(Some(text.to_string()))
            }
            None => Err("unclosed quote".into()),
        }
    }

    fn number(&mut self) -> Option<Value> {
        self.skip_ws();
        let rest = self.rest();
        let end = rest
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-') || c == '.'))
            .map_or(rest.len(), |(i, _)| i);
        let (text, _) = rest.split_at_checked(end)?;
        if text.is_empty() {
            return None;
        }
        let v: Value = serde_json::from_str(text).ok()?;
        self.pos += text.len();
        Some(v)
    }
}

fn parse_expr(src: &str) -> Result<Expr, String> {
    if src.is_empty() {
        return Err("empty expression".into());
    }
    let mut lx = Lexer { s: src, pos: 0 };
    let head = parse_head(&mut lx)?;
    let mut filters = Vec::new();
    while lx.eat('|') {
        let name = lx.ident().ok_or("expected a filter name after `|`")?;
        let fname = FilterName::parse(name).ok_or_else(|| {
            format!(
                "unknown filter `{name}` (known: {})",
                FILTERS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")
            )
        })?;
        let mut args = Vec::new();
        if lx.eat('(') && !lx.eat(')') {
            loop {
                args.push(parse_head(&mut lx)?);
                if lx.eat(')') {
                    break;
                }
                if !lx.eat(',') {
                    return Err(format!("expected `,` or `)` in the arguments of `{name}`"));
                }
            }
        }
        if args.len() != fname.arity() {
            return Err(format!(
                "filter `{name}` takes {} argument(s), got {}",
                fname.arity(),
                args.len()
            ));
        }
        filters.push(Filter { name: fname, args });
    }
    lx.skip_ws();
    if lx.pos != src.len() {
        return Err(format!("unexpected `{}`", lx.rest()));
    }
    Ok(Expr { head, filters })
}

fn parse_head(lx: &mut Lexer<'_>) -> Result<Head, String> {
    if let Some(s) = lx.string()? {
        return Ok(Head::Lit(Value::String(s)));
    }
    if let Some(n) = lx.number() {
        return Ok(Head::Lit(n));
    }
    let root = lx
        .ident()
        .ok_or("expected a path, a quoted text or a number")?;
    match root {
        "true" => return Ok(Head::Lit(Value::Bool(true))),
        "false" => return Ok(Head::Lit(Value::Bool(false))),
        "null" => return Ok(Head::Lit(Value::Null)),
        _ => {}
    }
    if !ROOTS.contains(&root) {
        return Err(format!(
            "unknown name `{root}` (a path starts with one of: {})",
            ROOTS.join(", ")
        ));
    }
    let mut segs = Vec::new();
    loop {
        if lx.rest().starts_with('.') {
            lx.pos += 1;
            let k = lx.ident().ok_or("expected a key after `.`")?;
            segs.push(match k.parse::<usize>() {
                Ok(i) => Seg::Index(i),
                Err(_) => Seg::Key(k.to_string()),
            });
        } else if lx.rest().starts_with('[') {
            lx.pos += 1;
            if let Some(s) = lx.string()? {
                segs.push(Seg::Key(s));
            } else if let Some(Value::Number(n)) = lx.number() {
                segs.push(Seg::Index(
                    n.as_u64().ok_or("an index must be a whole number")? as usize,
                ));
            } else {
                return Err("expected a quoted key or an index in `[ ]`".into());
            }
            if !lx.eat(']') {
                return Err("expected `]`".into());
            }
        } else {
            break;
        }
    }
    Ok(Head::Path(Path {
        root: root.to_string(),
        segs,
    }))
}

/// Parses a record path (`value`, `data.items`, `["@odata.nextLink"]`; empty: the body).
pub fn parse_path(s: &str) -> Result<Vec<Seg>, String> {
    let s = s.trim();
    if s.is_empty() || s == "." {
        return Ok(Vec::new());
    }
    let src = if s.starts_with('[') {
        format!("record{s}")
    } else {
        format!("record.{s}")
    };
    match parse_expr(&src)? {
        Expr {
            head: Head::Path(p),
            filters,
        } if filters.is_empty() => Ok(p.segs),
        _ => Err(format!("bad path `{s}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(t: &str, record: &Value) -> Value {
        let ix = Indexes::from([(
            "sp".to_string(),
            BTreeMap::from([("1".to_string(), json!({"name": "Graph"}))]),
        )]);
        let cfg = json!({"tenant": "t1"});
        let vars = Vars::default()
            .with("record", record)
            .with("config", &cfg)
            .indexes(&ix);
        Template::parse(t).unwrap().eval(&vars)
    }

    #[test]
    fn paths_literals_and_text() {
        let r = json!({"a": {"b": [1, {"c": "x"}]}, "@odata.nextLink": "n", "s": "User.Read  Mail.Send"});
        assert_eq!(eval("{{ record.a.b.1.c }}", &r), json!("x"));
        assert_eq!(eval("{{ record.a.b[0] }}", &r), json!(1));
        assert_eq!(eval("{{ record['@odata.nextLink'] }}", &r), json!("n"));
        assert_eq!(eval("{{ record.missing.deep }}", &r), Value::Null);
        assert_eq!(
            eval("/t/{{ config.tenant }}/x/{{ record.missing }}", &r),
            json!("/t/t1/x/")
        );
        assert_eq!(
            eval("{{ record.s | split(' ') }}", &r),
            json!(["User.Read", "Mail.Send"])
        );
        assert_eq!(
            eval("{{ record.s | split(' ') | join(',') | lower }}", &r),
            json!("user.read,mail.send")
        );
        assert_eq!(eval("{{ record.nope | default('x') }}", &r), json!("x"));
        assert_eq!(
            eval("{{ record.nope | default(config.tenant) }}", &r),
            json!("t1")
        );
        assert_eq!(
            eval("{{ '1' | lookup('sp') | get('name') }}", &r),
            json!("Graph")
        );
        assert_eq!(
            eval("{{ 1574296707 | epoch }}", &r),
            json!("2019-11-21T00:38:27Z")
        );
        assert_eq!(eval("{{ record.s | contains('Mail') }}", &r), json!(true));
        assert_eq!(eval("{{ 'a/b c' | urlencode }}", &r), json!("a%2Fb%20c"));
        assert_eq!(
            eval("{{ record.a.b | map('c') | compact }}", &r),
            json!(["x"])
        );
        assert_eq!(
            eval("{{ 'AllPrincipals' | eq('AllPrincipals') }}", &r),
            json!(true)
        );
        assert_eq!(
            eval("{{ 40 | switch('50=admin,40=write') }}", &r),
            json!("write")
        );
        assert_eq!(
            eval("{{ 30 | switch('50=admin,40=write') }}", &r),
            Value::Null
        );
        assert_eq!(eval("{{ 'b' | one_of('a, b') }}", &r), json!(true));
        assert_eq!(eval("{{ 'x' | resolve('sp') }}", &r), json!("x"));
    }

    #[test]
    fn bad_templates_are_errors() {
        for bad in [
            "{{ record.a",
            "{{ }}",
            "{{ secret.x }}",
            "{{ record.a | nosuch }}",
            "{{ record.a | default }}",
            "{{ record.a | split(' ', 'x') }}",
            "{{ record.a ) }}",
            "{{ 'open }}",
            "x }}",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn record_paths() {
        assert_eq!(parse_path("").unwrap(), vec![]);
        assert_eq!(
            parse_path("response_metadata.next_cursor").unwrap(),
            vec![
                Seg::Key("response_metadata".into()),
                Seg::Key("next_cursor".into())
            ]
        );
        assert_eq!(
            parse_path("['@odata.nextLink']").unwrap(),
            vec![Seg::Key("@odata.nextLink".into())]
        );
    }

    #[test]
    fn hostile_templates_are_errors_not_panics() {
        for src in [
            "{{",
            "{{}}",
            "{{ }}",
            "{{ 'é }}",
            "{{ \"😀 }}",
            "{{é}}",
            "{{ record.é }}",
            "{{ record. }}",
            "{{ record.😀 }}",
            "{{ record 😀 }}",
            "{{ record[ }}",
            "{{ record['é' }}",
            "{{ record[😀] }}",
            "{{ record[-1] }}",
            "{{ record[1.5] }}",
            "{{ - }}",
            "{{ -é }}",
            "{{ 1é }}",
            "{{ record | }}",
            "{{ record | é }}",
            "{{ record | prefix( }}",
            "{{ record | prefix('😀' }}",
            "{{ record | prefix('😀', }}",
            "é{{",
            "{{ record.x }}}}",
            "😀}}",
            "{{{{}}}}",
        ] {
            assert!(Template::parse(src).is_err(), "{src:?}");
        }
        for src in ["", "é", "😀", "{ {", "} }", "{", "}"] {
            assert!(Template::parse(src).is_ok(), "{src:?}");
        }
        for path in ["é", "😀", "[", "['é", "a.", "a[", "a..b", "[😀]", ".é"] {
            assert!(parse_path(path).is_err(), "{path:?}");
        }
    }

    #[test]
    fn multibyte_text_around_and_in_expressions() {
        let r = json!({"é": {"😀": "ü"}, "a": "x"});
        assert_eq!(eval("é{{ record['é']['😀'] }}😀", &r), json!("éü😀"));
        assert_eq!(eval("{{ record.a | prefix('ß') }}", &r), json!("ßx"));
        assert_eq!(eval("{{'😀'}}", &r), json!("😀"));
        assert_eq!(eval("{{ -1 }}", &r), json!(-1));
        assert_eq!(eval("{{\u{3000}record.a\u{3000}}}", &r), json!("x"));
    }
}
