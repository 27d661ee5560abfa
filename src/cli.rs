//! The command line: the only module that knows clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

use crate::report::Format;

const EXIT_CODES: &str = "\
Exit codes:
  0  clean: no unsuppressed finding at or above --fail-on
  1  findings at or above --fail-on (default: high)
  2  usage, configuration or input error (the message names the file and position)
  3  a source could not be read completely; the report is still written and its coverage
     section says what is missing (takes precedence over 1)";

/// nhi: discover non-human identities (service accounts, access keys, roles, apps, tokens,
/// AI agents) and audit them: owner, purpose and expiry with their evidence, and every
/// governance defect with its fix and the control it breaks.
#[derive(Debug, Parser)]
#[command(name = "nhi", version, after_help = EXIT_CODES, max_term_width = 100)]
#[deny(missing_docs)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
#[deny(missing_docs)]
// Parsed once per run: the size of the largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Discover identities from the given sources, attribute them, and report their defects.
    #[command(after_help = EXIT_CODES)]
    Scan(ScanArgs),
    /// Re-render a saved JSON report, re-evaluating the rules with the current configuration
    /// and --as-of (scan once, report many ways).
    #[command(after_help = EXIT_CODES)]
    Report(ReportArgs),
    /// Compare two JSON reports: identities added and removed, owners changed, credentials
    /// rotated, findings new and resolved. Exits 1 on new findings at or above --fail-on.
    Diff(DiffArgs),
    /// One identity's timeline across the activity logs, oldest first, with its chains drawn
    /// (a web-identity subject → AssumeRoleWithWebIdentity → the session's calls).
    #[command(after_help = EXIT_CODES)]
    Trail(TrailArgs),
    /// Collect evidence to scan later (an auditor collects once, analyses offline).
    #[command(after_help = EXIT_CODES)]
    Evidence(EvidenceArgs),
    /// List the rules, or explain one.
    Rules(RulesArgs),
    /// List the SaaS connector manifests, or check one offline against its recorded examples.
    Connectors(ConnectorsArgs),
    /// Write a commented starter nhi.yaml.
    Init(InitArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
    /// Print the JSON Schema of the JSON report.
    Schema,
}

/// `nhi scan`.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct ScanArgs {
    /// AWS evidence: a file or directory of `aws iam get-account-authorization-details` output
    /// and credential reports (CSV or get-credential-report JSON). Repeatable.
    #[arg(long = "aws-evidence", value_name = "PATH", help_heading = "Sources")]
    pub aws_evidence: Vec<PathBuf>,

    /// Activity logs: a file or directory of CloudTrail logs (the S3 delivery's gzip objects,
    /// JSON, JSON Lines, or `aws cloudtrail lookup-events` output), GitHub organisation audit
    /// logs, Entra ID sign-in logs, Okta System Log events, Google Workspace Reports API
    /// activities, Slack audit logs or GitLab audit events, recognised by content. Each event is joined to the identity and credential
    /// that acted. Repeatable.
    #[arg(long = "activity", value_name = "PATH", help_heading = "Sources")]
    pub activity: Vec<PathBuf>,

    /// Live AWS.
    #[command(flatten)]
    pub aws: AwsArgs,

    /// Repositories.
    #[command(flatten)]
    pub repo: RepoArgs,

    /// GitHub.
    #[command(flatten)]
    pub github: GithubArgs,

    /// Run a SaaS connector: a built-in one by id (entra-id, google-workspace, slack, okta,
    /// gitlab) or a manifest file. Inputs come from `connectors.ID` in nhi.yaml. Repeatable.
    #[arg(long, value_name = "ID|FILE", help_heading = "Sources")]
    pub connector: Vec<String>,

    /// Configuration, clock and output.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// GitHub options (a token from GITHUB_TOKEN or GH_TOKEN, or a GitHub App in nhi.yaml).
#[derive(Debug, Args, Clone, Default)]
#[deny(missing_docs)]
pub struct GithubArgs {
    /// Scan a GitHub organisation's machine credentials. Repeatable.
    #[arg(long, value_name = "ORG", help_heading = "Sources")]
    pub github: Vec<String>,

    /// GitHub API URL (Enterprise Server: https://HOST/api/v3).
    #[arg(
        long = "github-api-url",
        value_name = "URL",
        env = "GITHUB_API_URL",
        default_value = "https://api.github.com",
        help_heading = "Sources"
    )]
    pub github_api_url: String,

    /// Stop after this many GitHub requests (very large organisations); what was not read is
    /// in the coverage section.
    #[arg(
        long = "github-max-requests",
        value_name = "N",
        help_heading = "Sources"
    )]
    pub github_max_requests: Option<u64>,
}

/// Repository scanner options.
#[derive(Debug, Args, Clone, Default)]
#[deny(missing_docs)]
pub struct RepoArgs {
    /// Scan a repository (or any directory) for leaked credentials. Repeatable.
    #[arg(long, value_name = "PATH", help_heading = "Sources")]
    pub repo: Vec<PathBuf>,

    /// With --repo: also every blob of the git history (all refs), each once.
    #[arg(long, help_heading = "Sources")]
    pub history: bool,

    /// With --repo: include files that .gitignore excludes.
    #[arg(long = "all-files", help_heading = "Sources")]
    pub all_files: bool,

    /// Extra secret-detection rules (YAML, the format of data/secret-rules/). Repeatable.
    #[arg(long = "secret-rules", value_name = "FILE", help_heading = "Sources")]
    pub secret_rules: Vec<PathBuf>,
}

/// Live AWS options (credentials and region come from the standard AWS chain; the standard
/// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_IAM variables are honoured).
#[derive(Debug, Args, Clone, Default)]
#[deny(missing_docs)]
pub struct AwsArgs {
    /// Scan AWS live: the accounts in `aws.accounts` of nhi.yaml, or else the account of the
    /// current credentials.
    #[arg(long, help_heading = "Sources")]
    pub aws: bool,

    /// Use this profile of the shared AWS config instead of the default chain.
    #[arg(long = "aws-profile", value_name = "NAME", help_heading = "Sources")]
    pub aws_profile: Option<String>,

    /// Scan the account behind this role, through STS AssumeRole. Repeatable. Alone, only
    /// these accounts are scanned; with --aws, these as well.
    #[arg(long = "aws-role-arn", value_name = "ARN", help_heading = "Sources")]
    pub aws_role_arn: Vec<String>,

    /// Also list access-key ids (one ListAccessKeys call per user with keys), which the
    /// credential report lacks, so leaked keys can be matched to their identity.
    #[arg(long = "aws-access-key-ids", help_heading = "Sources")]
    pub aws_access_key_ids: bool,
}

/// `nhi evidence`.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct EvidenceArgs {
    /// What to collect.
    #[command(subcommand)]
    pub source: EvidenceSource,
}

/// Sources `nhi evidence` collects from.
#[derive(Debug, Subcommand)]
#[deny(missing_docs)]
pub enum EvidenceSource {
    /// Write each AWS account's authorization details and credential report (and key ids and
    /// alias) to DIR/ACCOUNT/, in the shapes `nhi scan --aws-evidence` reads.
    Aws(EvidenceAwsArgs),
}

/// `nhi evidence aws`.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct EvidenceAwsArgs {
    /// The directory to write to (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Live AWS.
    #[command(flatten)]
    pub aws: AwsArgs,

    /// Configuration file [default: ./nhi.yaml when present].
    #[arg(long, value_name = "FILE", env = "NHI_CONFIG", hide_env_values = true)]
    pub config: Option<PathBuf>,

    /// Print nothing on stderr but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `nhi report`.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct ReportArgs {
    /// A JSON report written by `nhi scan`.
    #[arg(value_name = "SAVED.json")]
    pub saved: PathBuf,

    /// Configuration, clock and output.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options shared by the commands that evaluate and render a report.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct CommonArgs {
    /// Configuration file [default: ./nhi.yaml when present].
    #[arg(long, value_name = "FILE", env = "NHI_CONFIG", hide_env_values = true)]
    pub config: Option<PathBuf>,

    /// The scan clock for every age rule: YYYY-MM-DD (midnight UTC) or an RFC 3339 time
    /// [default: now].
    #[arg(long = "as-of", value_name = "DATE")]
    pub as_of: Option<String>,

    /// Output format [default: table when stdout is a terminal, json otherwise].
    #[arg(long, short = 'f', value_enum, help_heading = "Output")]
    pub format: Option<Format>,

    /// With --format csv: one row per identity (the inventory) instead of one per finding.
    #[arg(long = "csv-identities", help_heading = "Output")]
    pub csv_identities: bool,

    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,

    /// Exit with code 1 when an unsuppressed finding is at or above this severity
    /// (critical, high, medium, low, info, or never).
    #[arg(
        long = "fail-on",
        value_name = "SEVERITY",
        default_value = "high",
        help_heading = "Output"
    )]
    pub fail_on: String,

    /// An earlier JSON report: findings with a fingerprint found in it are marked `known`,
    /// the others `new`.
    #[arg(long, value_name = "OLD.json", help_heading = "Output")]
    pub baseline: Option<PathBuf>,

    /// Apply --fail-on to new findings only (those not in --baseline).
    #[arg(long = "fail-on-new", requires = "baseline", help_heading = "Output")]
    pub fail_on_new: bool,

    /// Print nothing on stderr but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `nhi diff`.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct DiffArgs {
    /// The earlier JSON report.
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later JSON report.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Output format [default: table when stdout is a terminal, json otherwise].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<crate::report::diff::DiffFormat>,
    /// Write the diff to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with code 1 when a new unsuppressed finding is at or above this severity
    /// (critical, high, medium, low, info, or never).
    #[arg(long = "fail-on", value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
}

/// `nhi trail`.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct TrailArgs {
    /// The identity id, as the report spells it (`aws:iam::123456789012:role/deploy`).
    #[arg(value_name = "ID")]
    pub id: String,
    /// Activity logs, as `nhi scan --activity` reads them. Repeatable; at least one.
    #[arg(long = "activity", value_name = "PATH", required = true)]
    pub activity: Vec<PathBuf>,
    /// Only events at or after this time (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only events at or before this time (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Output format [default: table when stdout is a terminal, json otherwise].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<TrailFormat>,
    /// Print instead a least-privilege IAM policy of the actions the trail's calls used
    /// (denied calls left out; resources narrowed where every call named them).
    #[arg(long)]
    pub policy: bool,
}

/// `nhi trail` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrailFormat {
    /// Chains, then events, for a terminal.
    Table,
    /// The trail as JSON.
    Json,
    /// Markdown for tickets.
    Markdown,
}

/// `nhi rules`.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct RulesArgs {
    /// What to do (default: list).
    #[command(subcommand)]
    pub action: Option<RulesAction>,
}

/// `nhi rules` actions.
#[derive(Debug, Subcommand)]
#[deny(missing_docs)]
pub enum RulesAction {
    /// List every rule with its default severity and controls.
    List,
    /// Print a rule's explanation, fix and control mappings.
    Explain {
        /// The rule code, e.g. credential-unrotated.
        code: String,
    },
    /// Check the secret-detection rules: every example must match, every negative example
    /// must not. Exits 1 when one fails.
    CheckSecrets {
        /// Extra rule files to check with the built-in ones.
        #[arg(long = "secret-rules", value_name = "FILE")]
        secret_rules: Vec<PathBuf>,
    },
}

/// `nhi connectors`.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct ConnectorsArgs {
    /// What to do (default: list).
    #[command(subcommand)]
    pub action: Option<ConnectorsAction>,
}

/// `nhi connectors` actions.
#[derive(Debug, Subcommand)]
#[deny(missing_docs)]
pub enum ConnectorsAction {
    /// List the built-in connectors (and any manifest files given) with their streams,
    /// authentication and inputs.
    List {
        /// Manifest files to list too.
        files: Vec<String>,
    },
    /// Validate manifests and run each against a loopback server answering with its
    /// recorded examples (offline). Exits 1 when an example does not yield the expected
    /// identities, 2 when a manifest is invalid. Without arguments: every built-in one.
    Check {
        /// Built-in ids or manifest files.
        manifests: Vec<String>,
        /// Also print what each run emitted (identities and credentials, as JSON): a start
        /// for a new manifest's `expect` list.
        #[arg(long)]
        print: bool,
    },
}

/// `nhi init`.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct InitArgs {
    /// Where to write it.
    #[arg(default_value = "nhi.yaml")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `nhi completions`.
#[derive(Debug, Args)]
#[deny(missing_docs)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The clap command, for completions and help tests.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
