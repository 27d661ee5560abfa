//! `nhi scan`.

use anyhow::bail;

use super::Outcome;
use crate::cli::ScanArgs;
use crate::connector::{ConnectorError, ScanRequest};

/// Runs a scan and writes the report.
pub fn run(args: ScanArgs) -> anyhow::Result<Outcome> {
    let settings = super::Settings::from_args(&args.common)?;
    let req = ScanRequest {
        aws_evidence: args.aws_evidence.clone(),
        aws: super::aws_settings(&args.aws, &settings.config)?,
    };
    if req.aws_evidence.is_empty() && req.aws.is_none() {
        bail!(
            "nothing to scan: give at least one source, e.g. --aws or --aws-evidence PATH (see `nhi scan --help`)"
        );
    }
    let progress = crate::progress::Progress::new(args.common.quiet);
    let inv = crate::scan::discover(&req, &progress);
    progress.finish();
    let inv = inv.map_err(|e| match e {
        ConnectorError::Input(m) | ConnectorError::Unavailable(m) => anyhow::anyhow!(m),
    })?;
    let report = crate::scan::analyse(inv, &settings.config, settings.now);
    super::finish(report, &args.common, &settings)
}
