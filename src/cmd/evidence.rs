//! `nhi evidence aws --out DIR`: collect once, analyse later with `scan --aws-evidence DIR`.

use anyhow::{Context, bail};

use super::Outcome;
use crate::cli::{EvidenceArgs, EvidenceSource};
use crate::config::Config;

/// Collects evidence.
pub fn run(args: EvidenceArgs) -> anyhow::Result<Outcome> {
    let EvidenceSource::Aws(a) = args.source;
    let cfg = Config::load(a.config.as_deref())?;
    let mut aws = a.aws.clone();
    // Collecting is always live: with no role given, the current credentials' account.
    aws.aws = aws.aws || aws.aws_role_arn.is_empty();
    let Some(settings) = super::aws_settings(&aws, &cfg)? else {
        bail!("nothing to collect")
    };
    let progress = crate::progress::Progress::new(a.quiet);
    let line = progress.source("aws");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (accounts, failures) = rt.block_on(crate::connector::aws::live::collect(&settings, &line));
    rt.shutdown_background();
    line.finish(format!("{} account(s)", accounts.len()));
    progress.finish();
    let mut partial = !failures.is_empty();
    for acct in &accounts {
        let dir = a.out.join(&acct.account);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        for f in &acct.files {
            let p = dir.join(&f.name);
            std::fs::write(&p, &f.content)
                .with_context(|| format!("cannot write {}", p.display()))?;
        }
        partial |= !acct.gaps.is_empty();
        if !a.quiet {
            eprintln!(
                "nhi: account {}: {} file(s) in {} ({} request(s))",
                acct.account,
                acct.files.len(),
                dir.display(),
                acct.requests
            );
            for g in &acct.gaps {
                eprintln!("nhi:   missing {}: {}", g.what, g.reason);
            }
        }
    }
    for f in &failures {
        eprintln!("nhi: {}: {}", f.target, f.reason);
    }
    Ok(if partial {
        Outcome::Partial
    } else {
        Outcome::Clean
    })
}
