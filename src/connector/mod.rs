//! Discovery: the [`Connector`] trait and the one list of connectors.
//!
//! Each connector turns a source into an [`Inventory`] fragment plus a coverage record. They
//! run concurrently; everything after discovery is synchronous and pure.

use std::path::PathBuf;

use async_trait::async_trait;

use crate::model::Inventory;

pub mod aws;
pub mod declarative;
pub mod github;
pub mod repo;

/// What the user asked to scan.
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    /// `--aws-evidence` paths (files or directories).
    pub aws_evidence: Vec<PathBuf>,
    /// Live AWS (`--aws`, `--aws-role-arn`, `aws.accounts` in nhi.yaml).
    pub aws: Option<aws::live::AwsSettings>,
    /// Repositories to scan for leaked credentials (`--repo`).
    pub repo: Option<repo::RepoSettings>,
    /// GitHub organisations (`--github`).
    pub github: Option<github::GithubSettings>,
    /// Declarative SaaS connectors (`--connector`), inputs resolved.
    pub connectors: Vec<declarative::Selected>,
}

/// Why a connector could not produce its inventory.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The input is malformed: a usage error (exit code 2), naming the file and position.
    #[error("{0}")]
    Input(String),
    /// The source could not be read at all (recorded as failed coverage, exit code 3).
    #[error("{0}")]
    Unavailable(String),
}

/// A source of identities.
#[async_trait]
pub trait Connector: Sync {
    /// Stable id (`aws-evidence`).
    fn id(&self) -> &'static str;
    /// One line for `--help` and docs.
    fn describe(&self) -> &'static str;
    /// Whether the request asks for this connector.
    fn enabled(&self, req: &ScanRequest) -> bool;
    /// Reads the source, reporting what it does on its progress line.
    async fn discover(
        &self,
        req: &ScanRequest,
        line: &crate::progress::Line,
    ) -> Result<Inventory, ConnectorError>;
}

/// Every connector. Adding one: one module, one line here.
pub static CONNECTORS: &[&dyn Connector] = &[
    &aws::evidence::AwsEvidence,
    &aws::live::AwsLive,
    &repo::RepoScanner,
    &github::Github,
    &declarative::Declarative,
];

/// Runs every enabled connector concurrently and merges their inventories. An input error
/// stops the scan (exit code 2); an unavailable source becomes a failed coverage record.
pub async fn discover(
    req: &ScanRequest,
    progress: &crate::progress::Progress,
) -> Result<Inventory, ConnectorError> {
    let enabled: Vec<&dyn Connector> = CONNECTORS
        .iter()
        .copied()
        .filter(|c| c.enabled(req))
        .collect();
    let lines: Vec<_> = enabled.iter().map(|c| progress.source(c.id())).collect();
    let results =
        futures_util::future::join_all(enabled.iter().zip(&lines).map(|(c, l)| c.discover(req, l)))
            .await;
    let mut inv = Inventory::default();
    for ((c, r), line) in enabled.iter().zip(results).zip(&lines) {
        match r {
            Ok(frag) => {
                line.finish(format!(
                    "{} identities, {} credentials from {} source(s)",
                    frag.identities.len(),
                    frag.credentials.len(),
                    frag.sources.len()
                ));
                inv.merge(frag)
            }
            Err(ConnectorError::Input(m)) => {
                line.finish("failed");
                return Err(ConnectorError::Input(m));
            }
            Err(ConnectorError::Unavailable(m)) => {
                line.finish("unavailable");
                inv.coverage.push(crate::model::Coverage::failed(c.id(), m));
            }
        }
    }
    inv.sort();
    Ok(inv)
}
