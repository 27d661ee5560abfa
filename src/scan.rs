//! The pipeline: discover → attribute → evaluate → report.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::connector::{self, ConnectorError, ScanRequest};
use crate::model::{Inventory, Report, SCHEMA_VERSION, Tool};

/// Runs discovery (async, concurrent) on a current-thread runtime.
pub fn discover(
    req: &ScanRequest,
    progress: &crate::progress::Progress,
) -> Result<Inventory, ConnectorError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ConnectorError::Unavailable(format!("cannot start the async runtime: {e}")))?;
    let inv = rt.block_on(connector::discover(req, progress));
    rt.shutdown_background();
    inv
}

/// Attributes, evaluates and wraps an inventory into a report.
pub fn analyse(mut inv: Inventory, cfg: &Config, now: DateTime<Utc>) -> Report {
    crate::attribute::attribute(&mut inv, cfg);
    inv.sort();
    crate::correlate::correlate(&mut inv);
    // A first blast radius (before any finding) for the rules that cite it.
    crate::blast::assess(&mut inv, &[], cfg, now);
    let mut findings = crate::rules::evaluate(&inv, cfg, now);
    crate::blast::assess(&mut inv, &findings, cfg, now);
    // Worst first; among equals, the identity with the largest blast radius first.
    let score: std::collections::BTreeMap<&str, u32> = inv
        .identities
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                i.blast_radius.as_ref().map_or(0, |b| b.score),
            )
        })
        .collect();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| {
                score
                    .get(b.identity.as_str())
                    .cmp(&score.get(a.identity.as_str()))
            })
            .then_with(|| a.identity.cmp(&b.identity))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.credential.cmp(&b.credential))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    let mut report = Report {
        schema_version: SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "nhi-audit".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        as_of: now,
        sources: inv.sources,
        coverage: inv.coverage,
        identities: inv.identities,
        credentials: inv.credentials,
        leaks: inv.leaks,
        findings,
        summary: Default::default(),
    };
    report.summarize();
    report
}
