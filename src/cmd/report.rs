//! `nhi report SAVED.json`: re-render a saved report with the current configuration and clock.

use anyhow::Context;

use super::Outcome;
use crate::cli::ReportArgs;
use crate::model::{Inventory, Report};

/// Re-evaluates and renders a saved report.
pub fn run(args: ReportArgs) -> anyhow::Result<Outcome> {
    let settings = super::Settings::from_args(&args.common)?;
    let saved = super::load_report(&args.saved).context("cannot re-render")?;
    let inv = inventory(saved);
    let report = crate::scan::analyse(inv, &settings.config, settings.now);
    super::finish(report, &args.common, &settings)
}

/// The inventory a report was made from: its attribution is cleared so that the current
/// configuration attributes it afresh (tags and descriptions are kept in the identities).
pub fn inventory(r: Report) -> Inventory {
    let mut inv = Inventory {
        identities: r.identities,
        credentials: r.credentials,
        coverage: r.coverage,
        sources: r.sources,
        leaks: r.leaks,
    };
    for i in &mut inv.identities {
        i.owner = Default::default();
        i.purpose = Default::default();
        i.expiry = Default::default();
        i.expiry_date = None;
        i.ai_agent.clear();
        i.blast_radius = None;
    }
    inv
}
