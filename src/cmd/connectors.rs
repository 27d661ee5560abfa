//! `nhi connectors`: list the manifests, or check them offline.

use std::io::Write;

use super::Outcome;
use crate::cli::{ConnectorsAction, ConnectorsArgs};
use crate::connector::declarative::manifest::BUILTIN;
use crate::connector::declarative::{Manifest, check};

/// Lists or checks connector manifests.
pub fn run(args: ConnectorsArgs) -> anyhow::Result<Outcome> {
    match args
        .action
        .unwrap_or(ConnectorsAction::List { files: vec![] })
    {
        ConnectorsAction::List { files } => list(&files),
        ConnectorsAction::Check { manifests, print } => check_all(&manifests, print),
    }
}

fn load_all(specs: &[String]) -> anyhow::Result<Vec<Manifest>> {
    let specs: Vec<String> = if specs.is_empty() {
        BUILTIN.iter().map(|(n, _)| n.to_string()).collect()
    } else {
        specs.to_vec()
    };
    specs
        .iter()
        .map(|s| Manifest::load(s).map_err(anyhow::Error::from))
        .collect()
}

fn list(files: &[String]) -> anyhow::Result<Outcome> {
    let mut all = load_all(&[])?;
    for f in files {
        all.push(Manifest::load(f)?);
    }
    let mut out = std::io::stdout().lock();
    for m in &all {
        let auth = m
            .auth
            .as_ref()
            .map(|a| format!("{:?}", a.kind.value))
            .unwrap_or_else(|| "none".into());
        writeln!(out, "{}  {}  ({})", m.id.value, m.name, m.file)?;
        writeln!(out, "  {}", m.description)?;
        writeln!(out, "  auth: {}", kebab(&auth))?;
        let streams: Vec<String> = m
            .streams
            .iter()
            .map(|s| match &s.parent {
                Some(p) => format!("{} (per {})", s.name.value, p.value),
                None => s.name.value.clone(),
            })
            .collect();
        writeln!(out, "  streams: {}", streams.join(", "))?;
        let inputs: Vec<String> = m
            .inputs
            .iter()
            .map(|(n, i)| {
                let mut s = n.clone();
                if i.required {
                    s.push_str(" (required)");
                }
                if i.secret {
                    s.push_str(" (secret)");
                }
                s
            })
            .collect();
        writeln!(out, "  inputs: {}", inputs.join(", "))?;
    }
    Ok(Outcome::Clean)
}

fn kebab(debug: &str) -> String {
    let mut s = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                s.push('-');
            }
            s.push(c.to_ascii_lowercase());
        } else {
            s.push(c);
        }
    }
    s
}

fn check_all(specs: &[String], print: bool) -> anyhow::Result<Outcome> {
    let manifests = load_all(specs)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let reports = rt.block_on(async {
        let mut out = Vec::new();
        for m in manifests {
            out.push(check::check(m).await);
        }
        out
    });
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    for r in reports {
        let r = r.map_err(|e| anyhow::anyhow!(e))?;
        if print && let Some(inv) = &r.inventory {
            let v = serde_json::json!({
                "identities": inv.identities,
                "credentials": inv.credentials,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        if r.problems.is_empty() {
            writeln!(
                out,
                "ok    {} ({}): {} identities, {} credentials, {} requests; second pages: {}",
                r.id,
                r.file,
                r.identities,
                r.credentials,
                r.requests,
                if r.paged.is_empty() {
                    "none".to_string()
                } else {
                    r.paged.join(", ")
                }
            )?;
        } else {
            failed = true;
            writeln!(out, "FAIL  {} ({})", r.id, r.file)?;
            for p in &r.problems {
                writeln!(out, "      {}", crate::report::escape::terminal(p))?;
            }
        }
    }
    Ok(if failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
