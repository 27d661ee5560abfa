//! The pipeline: discover → attribute → evaluate → report.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::connector::{self, ConnectorError, ScanRequest};
use crate::model::{Inventory, Report, SCHEMA_VERSION, Tool};

/// Runs discovery (async, concurrent) on a current-thread runtime.
pub fn discover(req: &ScanRequest) -> Result<Inventory, ConnectorError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ConnectorError::Unavailable(format!("cannot start the async runtime: {e}")))?;
    let inv = rt.block_on(connector::discover(req));
    rt.shutdown_background();
    inv
}

/// Attributes, evaluates and wraps an inventory into a report.
pub fn analyse(mut inv: Inventory, cfg: &Config, now: DateTime<Utc>) -> Report {
    crate::attribute::attribute(&mut inv, cfg);
    inv.sort();
    let findings = crate::rules::evaluate(&inv, cfg, now);
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
        findings,
        summary: Default::default(),
    };
    report.summarize();
    report
}
