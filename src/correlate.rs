//! Facts that need more than one source: a credential found in a repository matched to the
//! live credential it is (AWS access key ids; GitHub tokens by their last eight characters).
//! Both sides are compared as keyed hashes, so leaks carry no part of the value.

use crate::connector::repo::rules::handle;
use crate::model::{CredentialKind, Inventory};

/// Fills `leaks[].live` with the ids of the live credentials each leak matches.
pub fn correlate(inv: &mut Inventory) {
    for leak in &mut inv.leaks {
        leak.live.clear();
        let Some(h) = &leak.handle else { continue };
        for c in &inv.credentials {
            let mine = match c.kind {
                CredentialKind::AccessKey
                    if c.fingerprint.starts_with("AK") || c.fingerprint.starts_with("AS") =>
                {
                    handle("aws-key-id", &c.fingerprint)
                }
                CredentialKind::Token if c.identity.starts_with("github:") => handle(
                    "github-last8",
                    &c.fingerprint[c.fingerprint.len().saturating_sub(8)..],
                ),
                _ => continue,
            };
            if &mine == h {
                leak.live.push(c.id.clone());
            }
        }
        leak.live.sort();
        leak.live.dedup();
    }
}
