//! nhi-audit: discover non-human identities and audit their governance.
//!
//! The pipeline (see ARCHITECTURE in the repository): connectors discover an
//! [`model::Inventory`] concurrently; [`attribute`] fills owner, purpose and expiry with their
//! sources; [`rules`] evaluate it against the scan clock; [`report`] renders the
//! [`model::Report`].

// Input is hostile (evidence, API answers, repositories): no slicing or indexing that can panic.
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

pub mod activity;
pub mod attribute;
pub mod blast;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod connector;
pub mod correlate;
pub mod diff;
/// Data files embedded from their directories by build.rs (connector manifests, secret rules).
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}
pub mod http;
pub mod input;
pub mod model;
pub mod policy;
pub mod progress;
pub mod report;
pub mod rules;
pub mod scan;
pub mod scopes;
pub mod secret;
pub mod text;
pub mod time;

use cli::{Cli, Command};
use cmd::Outcome;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Scan(a) => cmd::scan::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Diff(a) => cmd::diff::run(a),
        Command::Trail(a) => cmd::trail::run(a),
        Command::Evidence(a) => cmd::evidence::run(a),
        Command::Rules(a) => cmd::rules::run(a),
        Command::Connectors(a) => cmd::connectors::run(a),
        Command::Init(a) => cmd::init::run(a),
        Command::Completions(a) => cmd::completions::run(a),
        Command::Schema => cmd::schema::run(),
    }
}
