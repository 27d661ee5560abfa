//! Declarative SaaS connectors: YAML manifests (connectors/*.yaml, embedded, or any file given
//! to `--connector`) run by one engine. Schema and examples: docs/connectors/.
//!
//! A manifest declares inputs, authentication, streams (requests with pagination and fan-out
//! over a parent stream) and how records become identities. The engine reads every stream,
//! builds lookup indexes, then emits identities and credentials into the model.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use super::{Connector, ConnectorError, ScanRequest};
use crate::model::Inventory;
use crate::secret::Secret;

pub mod check;
pub mod emit;
pub mod http;
pub mod manifest;
pub mod run;
pub mod template;

pub use manifest::{Manifest, ManifestError};

/// A manifest with its inputs resolved, ready to run.
#[derive(Debug, Clone)]
pub struct Selected {
    /// The manifest.
    pub manifest: Arc<Manifest>,
    /// Values of the inputs that are not secret (what templates outside `auth` see).
    pub inputs: BTreeMap<String, Value>,
    /// Values of the inputs marked `secret: true` (used only by `auth`).
    pub secrets: BTreeMap<String, Secret>,
}

impl Selected {
    /// Resolves a manifest's inputs from given values (nhi.yaml `connectors.ID`, or a
    /// manifest's example inputs), `${env:NAME}` / `${file:PATH}` references and defaults.
    /// `origin` names where the values came from in errors.
    pub fn resolve(
        manifest: Manifest,
        given: &BTreeMap<String, Value>,
        origin: &str,
    ) -> Result<Self, String> {
        let located: BTreeMap<String, (Value, String)> = given
            .iter()
            .map(|(k, v)| (k.clone(), (v.clone(), origin.to_string())))
            .collect();
        Self::resolve_located(manifest, &located)
    }

    /// Like [`Selected::resolve`], each value with where it was written (`nhi.yaml:12:7`).
    pub fn resolve_located(
        manifest: Manifest,
        located: &BTreeMap<String, (Value, String)>,
    ) -> Result<Self, String> {
        let id = manifest.id.value.clone();
        let given: BTreeMap<String, Value> = located
            .iter()
            .map(|(k, (v, _))| (k.clone(), v.clone()))
            .collect();
        let at = |k: &str| {
            located
                .get(k)
                .map(|(_, o)| o.clone())
                .unwrap_or_else(|| "nhi.yaml".into())
        };
        for k in given.keys() {
            if !manifest.inputs.contains_key(k) {
                let origin = at(k);
                return Err(format!(
                    "{origin}: connector {id} has no input `{k}` (inputs: {})",
                    manifest
                        .inputs
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let mut values: BTreeMap<String, Value> = BTreeMap::new();
        for (name, v) in &given {
            let v = expand(v).map_err(|e| format!("{}: connectors.{id}.{name}: {e}", at(name)))?;
            values.insert(name.clone(), v);
        }
        // Defaults may be `${env:NAME}` (absent when unset) or templates over given inputs:
        // two passes resolve one level of reference to another default.
        for _ in 0..2 {
            let cfg = Value::Object(values.clone().into_iter().collect());
            for (name, input) in &manifest.inputs {
                if values.contains_key(name) {
                    continue;
                }
                let Some(d) = &input.default else { continue };
                let Ok(v) = expand(d) else { continue };
                let v = match &v {
                    Value::String(s) if s.contains("{{") => {
                        let t = template::Template::parse(s).map_err(|e| {
                            format!("{}: input `{name}` default: {e}", manifest.file)
                        })?;
                        let vars = template::Vars::default().with("config", &cfg);
                        if t.paths().iter().any(|p| {
                            p.root == "config"
                                && matches!(p.segs.first(), Some(template::Seg::Key(k)) if !values.contains_key(k))
                        }) {
                            continue;
                        }
                        t.eval(&vars)
                    }
                    _ => v,
                };
                if !v.is_null() {
                    values.insert(name.clone(), v);
                }
            }
        }
        for (name, input) in &manifest.inputs {
            match values.get(name) {
                None if input.required => {
                    return Err(format!(
                        "connector {id}: input `{name}` is required ({}): set connectors.{id}.{name} in nhi.yaml",
                        input.description
                    ));
                }
                None => {}
                Some(v) => {
                    let typed = typed(input.kind, v).map_err(|e| {
                        if input.secret {
                            format!(
                                "{}: connectors.{id}.{name}: expected {} (a secret: its value is not shown)",
                                at(name),
                                format!("{:?}", input.kind).to_lowercase()
                            )
                        } else {
                            format!("{}: connectors.{id}.{name}: {e}", at(name))
                        }
                    })?;
                    values.insert(name.clone(), typed);
                }
            }
        }
        let mut secrets = BTreeMap::new();
        for (name, input) in &manifest.inputs {
            if input.secret
                && let Some(v) = values.remove(name)
            {
                secrets.insert(name.clone(), Secret::new(template::to_text(&v)));
            }
        }
        Ok(Self {
            manifest: Arc::new(manifest),
            inputs: values,
            secrets,
        })
    }

    /// The public inputs as the `config` template root.
    pub fn config(&self) -> Value {
        Value::Object(self.inputs.clone().into_iter().collect())
    }

    /// Builds the authenticator: the only place where secret inputs join the template
    /// variables, for as long as the `auth` block is rendered.
    pub fn authenticator(
        &self,
        redact: &http::Redactor,
    ) -> Result<Option<http::Authenticator>, String> {
        let Some(a) = &self.manifest.auth else {
            return Ok(None);
        };
        for s in self.secrets.values() {
            redact.add(s.expose());
        }
        let mut cfg = self.inputs.clone();
        for (k, v) in &self.secrets {
            cfg.insert(k.clone(), Value::String(v.expose().to_string()));
        }
        let cfg = Value::Object(cfg.into_iter().collect());
        let vars = template::Vars::default().with("config", &cfg);
        let auth = http::Authenticator::new(a, &vars, redact);
        // The transient copy holds secret values: overwrite it before it is freed.
        if let Value::Object(mut m) = cfg {
            for v in m.values_mut() {
                if let Value::String(s) = v {
                    zeroize::Zeroize::zeroize(s);
                }
            }
        }
        auth.map(Some)
    }
}

/// Expands `${env:NAME}` and `${file:PATH}` in a text value.
fn expand(v: &Value) -> Result<Value, String> {
    let Value::String(s) = v else {
        return Ok(v.clone());
    };
    let t = s.trim();
    if let Some(name) = t.strip_prefix("${env:").and_then(|r| r.strip_suffix('}')) {
        return match std::env::var(name) {
            Ok(v) if !v.is_empty() => Ok(Value::String(v)),
            _ => Err(format!("environment variable {name} is not set")),
        };
    }
    if let Some(path) = t.strip_prefix("${file:").and_then(|r| r.strip_suffix('}')) {
        return std::fs::read_to_string(path)
            .map(|v| Value::String(v.trim_end().to_string()))
            .map_err(|e| format!("cannot read {path}: {e}"));
    }
    Ok(v.clone())
}

fn typed(kind: manifest::InputType, v: &Value) -> Result<Value, String> {
    use manifest::InputType as T;
    match (kind, v) {
        (T::String, Value::String(_)) => Ok(v.clone()),
        (T::String, Value::Number(_) | Value::Bool(_)) => Ok(Value::String(v.to_string())),
        (T::Integer, Value::Number(n)) if n.is_u64() || n.is_i64() => Ok(v.clone()),
        (T::Integer, Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("expected a whole number, got `{s}`")),
        (T::Boolean, Value::Bool(_)) => Ok(v.clone()),
        (T::Boolean, Value::String(s)) => match s.trim() {
            "true" | "yes" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!("expected true or false, got `{s}`")),
        },
        (T::Url, Value::String(s)) => {
            check_url(s)?;
            Ok(Value::String(s.trim_end_matches('/').to_string()))
        }
        (k, v) => Err(format!("expected {k:?}, got {v}").to_lowercase()),
    }
}

pub use crate::http::check_url;

/// The declarative connector: runs every manifest selected with `--connector`.
pub struct Declarative;

#[async_trait]
impl Connector for Declarative {
    fn id(&self) -> &'static str {
        "saas"
    }

    fn describe(&self) -> &'static str {
        "SaaS OAuth grants, app registrations and tokens through connector manifests (--connector)"
    }

    fn enabled(&self, req: &ScanRequest) -> bool {
        !req.connectors.is_empty()
    }

    async fn discover(
        &self,
        req: &ScanRequest,
        line: &crate::progress::Line,
    ) -> Result<Inventory, ConnectorError> {
        let runs = req.connectors.iter().map(|sel| {
            let l = line.child(&sel.manifest.id.value);
            async move {
                let r = run::run(sel, &l).await;
                l.finish(match &r {
                    Ok(out) => format!(
                        "{} identities, {} requests",
                        out.inventory.identities.len(),
                        out.requests
                    ),
                    Err(_) => "failed".into(),
                });
                r
            }
        });
        let results = futures_util::future::join_all(runs).await;
        let mut inv = Inventory::default();
        for (sel, r) in req.connectors.iter().zip(results) {
            match r {
                Ok(out) => inv.merge(out.inventory),
                // One provider that cannot be read does not stop the others.
                Err(ConnectorError::Unavailable(m)) => {
                    inv.coverage.push(crate::model::Coverage::failed(
                        sel.manifest.id.value.clone(),
                        m,
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(inv)
    }
}
