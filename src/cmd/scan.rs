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
        repo: repo_settings(&args.repo, &settings.config),
        github: github_settings(&args.github, &settings.config)?,
        connectors: connector_settings(&args.connector, &settings.config)?,
    };
    if req.aws_evidence.is_empty()
        && req.aws.is_none()
        && req.repo.is_none()
        && req.github.is_none()
        && req.connectors.is_empty()
        && args.activity.is_empty()
    {
        bail!(
            "nothing to scan: give at least one source, e.g. --aws, --aws-evidence PATH, --repo PATH, --github ORG, --connector ID or --activity PATH (see `nhi scan --help`)"
        );
    }
    if req.repo.is_none() && (args.repo.history || args.repo.all_files) {
        bail!("--history and --all-files need --repo PATH");
    }
    // Activity logs are read first: a file the user named that is unusable is a usage error
    // before any network call.
    let activity = if args.activity.is_empty() {
        None
    } else {
        Some(crate::activity::read_paths(&args.activity).map_err(|e| anyhow::anyhow!(e))?)
    };
    let progress = crate::progress::Progress::new(args.common.quiet);
    let inv = crate::scan::discover(&req, &progress);
    progress.finish();
    let mut inv = inv.map_err(|e| match e {
        ConnectorError::Input(m) | ConnectorError::Unavailable(m) => anyhow::anyhow!(m),
    })?;
    if let Some(a) = activity {
        crate::activity::apply(&mut inv, a);
    }
    let report = crate::scan::analyse(inv, &settings.config, settings.now);
    super::finish(report, &args.common, &settings)
}

/// Loads each `--connector` manifest and resolves its inputs from `connectors.ID` in nhi.yaml.
fn connector_settings(
    specs: &[String],
    cfg: &crate::config::Config,
) -> anyhow::Result<Vec<crate::connector::declarative::Selected>> {
    let origin = cfg
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "nhi.yaml".into());
    let mut out: Vec<crate::connector::declarative::Selected> = Vec::new();
    for spec in specs {
        let m = crate::connector::declarative::Manifest::load(spec)?;
        if out.iter().any(|s| s.manifest.id.value == m.id.value) {
            bail!(
                "--connector {spec}: connector `{}` is given twice",
                m.id.value
            );
        }
        let given: std::collections::BTreeMap<String, (serde_json::Value, String)> = cfg
            .connectors
            .get(&m.id.value)
            .into_iter()
            .flat_map(|c| c.0.iter())
            .map(|(k, v)| {
                let at = format!("{origin}:{}:{}", v.referenced.line(), v.referenced.column());
                (k.clone(), (v.value.clone(), at))
            })
            .collect();
        out.push(
            crate::connector::declarative::Selected::resolve_located(m, &given)
                .map_err(|e| anyhow::anyhow!(e))?,
        );
    }
    Ok(out)
}

fn repo_settings(
    a: &crate::cli::RepoArgs,
    cfg: &crate::config::Config,
) -> Option<crate::connector::repo::RepoSettings> {
    if a.repo.is_empty() {
        return None;
    }
    let mut rule_files = cfg.secrets.rules.clone();
    rule_files.extend(a.secret_rules.iter().cloned());
    Some(crate::connector::repo::RepoSettings {
        paths: a.repo.clone(),
        history: a.history,
        all_files: a.all_files,
        rule_files,
        max_file_size: cfg.secrets.max_file_size_mb.saturating_mul(1 << 20),
        allow: cfg.secrets.allow.clone(),
    })
}

fn github_settings(
    a: &crate::cli::GithubArgs,
    cfg: &crate::config::Config,
) -> anyhow::Result<Option<crate::connector::github::GithubSettings>> {
    if a.github.is_empty() {
        return Ok(None);
    }
    let g = &cfg.github;
    crate::http::check_url(&a.github_api_url)
        .map_err(|e| anyhow::anyhow!("--github-api-url (or GITHUB_API_URL): {e}"))?;
    let app = match &g.app {
        Some(app) => {
            let pem = std::fs::read_to_string(&app.private_key_file).map_err(|e| {
                anyhow::anyhow!(
                    "{}: cannot read the GitHub App private key: {e}",
                    app.private_key_file.display()
                )
            })?;
            Some((
                app.app_id,
                app.installation_id,
                crate::secret::Secret::new(pem),
            ))
        }
        None => None,
    };
    let cache_dir = if g.cache {
        std::env::var_os("NHI_CACHE_DIR")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME").map(|d| std::path::PathBuf::from(d).join("nhi"))
            })
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| std::path::PathBuf::from(h).join(".cache").join("nhi"))
            })
            .map(|d| d.join("github"))
    } else {
        None
    };
    Ok(Some(crate::connector::github::GithubSettings {
        orgs: a.github.clone(),
        api_url: a.github_api_url.trim_end_matches('/').to_string(),
        concurrency: g.concurrency.max(1),
        max_requests: a.github_max_requests,
        max_wait: std::time::Duration::from_secs(g.max_wait_seconds),
        cache_dir,
        token: ["GITHUB_TOKEN", "GH_TOKEN"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|t| !t.is_empty()))
            .map(crate::secret::Secret::new),
        app,
    }))
}
