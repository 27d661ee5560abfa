//! Records into the model: identities (upserted by kind and id) and their credentials.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::manifest::{Emit, Manifest, Stream};
use super::run::Rec;
use super::template::{Indexes, Template, Vars, to_text, truthy};
use crate::model::{
    AiAgentEvidence, Attribution, Classification, Credential, Identity, PrivilegeLevel, Provider,
};

/// Collects emits into identities and credentials.
pub struct Builder<'a> {
    m: &'a Manifest,
    account: &'a str,
    source: &'a str,
    cfg: &'a Value,
    indexes: &'a Indexes,
    ids: BTreeMap<String, Identity>,
    creds: BTreeMap<String, Credential>,
    skipped: BTreeMap<String, usize>,
}

fn time(t: &Option<Template>, v: &Vars<'_>) -> Option<DateTime<Utc>> {
    t.as_ref()
        .and_then(|t| t.text(v))
        .and_then(|s| crate::time::parse_time(&s))
}

fn list(v: Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().map(to_text).filter(|s| !s.is_empty()).collect(),
        Value::Null => Vec::new(),
        Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
        other => vec![to_text(&other)],
    }
}

fn level(s: &str) -> Option<PrivilegeLevel> {
    match s.trim().to_ascii_lowercase().as_str() {
        "admin" => Some(PrivilegeLevel::Admin),
        "write" => Some(PrivilegeLevel::Write),
        "read" => Some(PrivilegeLevel::Read),
        "none" => Some(PrivilegeLevel::None),
        _ => None,
    }
}

impl<'a> Builder<'a> {
    /// A builder for one run.
    pub fn new(
        m: &'a Manifest,
        account: &'a str,
        source: &'a str,
        cfg: &'a Value,
        indexes: &'a Indexes,
    ) -> Self {
        Self {
            m,
            account,
            source,
            cfg,
            indexes,
            ids: BTreeMap::new(),
            creds: BTreeMap::new(),
            skipped: BTreeMap::new(),
        }
    }

    /// Applies every emit of a stream to one record.
    pub fn record(&mut self, s: &Stream, r: &Rec) {
        let base = Vars::default()
            .with("config", self.cfg)
            .with("record", &r.record)
            .indexes(self.indexes);
        let base = match &r.parent {
            Some(p) => base.with("parent", p),
            None => base,
        };
        for e in &s.emit {
            match &e.each {
                None => self.one(s, e, &base),
                Some(each) => {
                    let items = match each.eval(&base) {
                        Value::Array(a) => a,
                        Value::Null => Vec::new(),
                        other => vec![other],
                    };
                    for item in &items {
                        let v = base.clone().with("item", item);
                        self.one(s, e, &v);
                    }
                }
            }
        }
    }

    fn one(&mut self, s: &Stream, e: &Emit, v: &Vars<'_>) {
        if let Some(w) = &e.when
            && !w.truthy(v)
        {
            return;
        }
        let Some(local) = e.id.text(v) else {
            *self.skipped.entry(s.name.value.clone()).or_default() += 1;
            return;
        };
        let account = e
            .account
            .as_ref()
            .and_then(|t| t.text(v))
            .unwrap_or_else(|| self.account.to_string());
        let connector = &self.m.id.value;
        let id = format!("{connector}:{account}:{}/{local}", e.kind.slug());
        let i = self.ids.entry(id.clone()).or_insert_with(|| {
            let mut i = Identity::new(id.clone(), Provider::Saas, e.kind.model(), local.clone());
            i.account = Some(account.clone());
            i.source = Some(self.source.to_string());
            i.classification = Classification::Machine;
            i.classification_reason = format!("{} from connector {connector}", e.kind.slug());
            i.attributes
                .insert("connector".into(), Value::String(connector.clone()));
            if let Some(ns) = &self.m.scopes {
                i.attributes
                    .insert("scope_catalogue".into(), Value::String(ns.clone()));
            }
            i
        });
        // Upsert: the first value of a field wins; lists grow.
        if let Some(n) = e.name.as_ref().and_then(|t| t.text(v))
            && i.name == local
        {
            i.name = n;
        }
        if i.native_id.is_none() {
            i.native_id = e.native_id.as_ref().and_then(|t| t.text(v));
        }
        if let Some(h) = &e.human
            && h.truthy(v)
        {
            i.classification = Classification::Human;
            i.classification_reason = format!("a person's account in {connector}");
        }
        if let Some(h) = &e.provider_managed
            && h.truthy(v)
        {
            i.classification = Classification::ProviderManaged;
            i.classification_reason = format!("managed by the provider ({connector} first-party)");
        }
        if let Some(a) = &e.active {
            let val = a.eval(v);
            if !val.is_null() {
                i.active = i.active && truthy(&val);
            }
        }
        if i.created.is_none() {
            i.created = time(&e.created, v);
        }
        if let Some(t) = time(&e.last_used, v) {
            i.last_used = Some(i.last_used.map_or(t, |u| u.max(t)));
        }
        if !i.expiry.is_known()
            && let Some(t) = time(&e.expires, v)
        {
            i.expiry = Attribution::from(
                t.format("%Y-%m-%d").to_string(),
                format!("{connector}:expires"),
            );
            i.expiry_date = Some(t.date_naive());
        }
        if !i.owner.is_known()
            && let Some(o) = e.owner.as_ref().and_then(|t| t.text(v))
        {
            let src = e
                .owner_source
                .clone()
                .unwrap_or_else(|| format!("{connector}:owner"));
            i.owner = Attribution::from(o, src);
        }
        if i.description.is_none() {
            i.description = e.description.as_ref().and_then(|t| t.text(v));
        }
        if let Some(t) = &e.scopes {
            for sc in list(t.eval(v)) {
                if !i.privileges.scopes.contains(&sc) {
                    i.privileges.scopes.push(sc);
                }
            }
        }
        if let Some(l) = e
            .privilege
            .as_ref()
            .and_then(|t| t.text(v))
            .and_then(|s| level(&s))
            && l > i.privileges.level
        {
            i.privileges.level = l;
            i.privileges
                .basis
                .push(format!("the provider states {l:?} privilege").to_lowercase());
        }
        for (k, t) in &e.attributes {
            let val = t.eval(v);
            if val.is_null() {
                continue;
            }
            i.attributes.entry(k.clone()).or_insert(val);
        }
        if let Some(ev) = e.ai_agent.as_ref().and_then(|t| t.text(v))
            && i.ai_agent.is_empty()
        {
            i.ai_agent.push(AiAgentEvidence {
                matched: format!("{connector} agent identity"),
                evidence: ev,
            });
        }
        let identity_id = id.clone();
        for c in &e.credentials {
            let items: Vec<Value> = match &c.each {
                Some(each) => match each.eval(v) {
                    Value::Array(a) => a,
                    Value::Null => Vec::new(),
                    other => vec![other],
                },
                None => vec![Value::Null],
            };
            for item in &items {
                let cv = if c.each.is_some() {
                    v.clone().with("item", item)
                } else {
                    v.clone()
                };
                if c.when.as_ref().is_some_and(|w| !w.truthy(&cv)) {
                    continue;
                }
                let Some(handle) = c.handle.text(&cv) else {
                    continue;
                };
                let cid = format!("{identity_id}#{}-{handle}", c.kind.slug());
                let last_used = time(&c.last_used, &cv);
                // Known when the provider reports it: a time, or null for "never used".
                let last_used_known = c.last_used.as_ref().is_some_and(|t| {
                    let raw = t.eval(&cv);
                    raw.is_null() || last_used.is_some()
                });
                let active = c
                    .active
                    .as_ref()
                    .map(|t| t.eval(&cv))
                    .filter(|x| !x.is_null())
                    .is_none_or(|x| truthy(&x));
                self.creds.entry(cid.clone()).or_insert(Credential {
                    id: cid,
                    identity: identity_id.clone(),
                    kind: c.kind.model(),
                    fingerprint: format!("{} {handle}", c.kind.slug()),
                    active,
                    created: time(&c.created, &cv),
                    last_used,
                    last_used_service: None,
                    last_used_region: None,
                    expires: time(&c.expires, &cv),
                    last_used_known,
                });
            }
        }
    }

    /// The identities (privileges rated from their scopes) and credentials, and notes for
    /// the coverage section.
    pub fn finish(mut self) -> (Vec<Identity>, Vec<Credential>, Vec<String>) {
        for c in self.creds.values() {
            if let Some(i) = self.ids.get_mut(&c.identity)
                && let Some(t) = c.last_used
            {
                i.last_used = Some(i.last_used.map_or(t, |u| u.max(t)));
            }
        }
        for i in self.ids.values_mut() {
            crate::scopes::rate(i);
        }
        let notes = self
            .skipped
            .iter()
            .map(|(s, n)| format!("{s}: {n} record(s) without an id were not emitted"))
            .collect();
        (
            self.ids.into_values().collect(),
            self.creds.into_values().collect(),
            notes,
        )
    }
}
