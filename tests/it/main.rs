//! The one integration-test binary: commands run end to end on real evidence.

mod activity;
mod activity_sources;
mod aws_live;
mod bad_input;
mod cli;
mod connectors;
mod diff;
mod evidence;
mod faults;
mod formats;
mod generated;
mod github;
mod props;
mod repo;
mod saas_verbatim;
mod scan;
mod secrets;
mod util;
