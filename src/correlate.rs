//! Facts that need more than one source: a credential found in a repository matched to the
//! live credential it is (AWS access key ids; GitHub tokens by their last eight characters).
//! Both sides are compared as keyed hashes, so leaks carry no part of the value.

use crate::connector::repo::rules::handle;
use crate::model::{CredentialKind, Inventory};
use crate::text::last_chars;

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
                CredentialKind::Token if c.identity.starts_with("github:") => {
                    handle("github-last8", last_chars(&c.fingerprint, 8))
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::repo::rules::handle;
    use crate::model::{Credential, Leak};

    fn cred(id: &str, identity: &str, kind: CredentialKind, fingerprint: &str) -> Credential {
        Credential {
            id: id.into(),
            identity: identity.into(),
            kind,
            fingerprint: fingerprint.into(),
            active: true,
            created: None,
            last_used: None,
            last_used_service: None,
            last_used_region: None,
            expires: None,
            last_used_known: false,
        }
    }

    fn leak(h: String) -> Leak {
        Leak {
            id: "leak:x".into(),
            rule: "r".into(),
            name: "n".into(),
            provider: "p".into(),
            kind: "token".into(),
            fingerprint: "f".into(),
            preview: "…".into(),
            handle: Some(h),
            validated: true,
            fixture: None,
            locations: vec![],
            live: vec![],
        }
    }

    #[test]
    fn github_tokens_by_last_eight_and_aws_keys_by_id() {
        let mut inv = Inventory {
            credentials: vec![
                cred(
                    "gh#1",
                    "github:acme/credential-authorization/1",
                    CredentialKind::Token,
                    "71c3fc11",
                ),
                cred(
                    "gh#2",
                    "github:acme/credential-authorization/2",
                    CredentialKind::Token,
                    "Ae178B4a",
                ),
                cred(
                    "aws#1",
                    "aws:iam::1:user/u",
                    CredentialKind::AccessKey,
                    "AKIAQYLPMN5HHHFPZAM2",
                ),
            ],
            leaks: vec![
                leak(handle("github-last8", "71c3fc11")),
                leak(handle("aws-key-id", "AKIAQYLPMN5HHHFPZAM2")),
                leak(handle("github-last8", "00000000")),
            ],
            ..Inventory::default()
        };
        correlate(&mut inv);
        assert_eq!(inv.leaks[0].live, ["gh#1"]);
        assert_eq!(inv.leaks[1].live, ["aws#1"]);
        assert!(inv.leaks[2].live.is_empty());
    }

    #[test]
    fn regression_multibyte_github_last_eight() {
        // GitHub's `token_last_eight` comes from the API: multi-byte text there used to be cut
        // eight bytes from the end, inside a character (a panic).
        for last in ["aé1234567", "ééééé", "😀😀😀", "é"] {
            let mut inv = Inventory {
                credentials: vec![cred(
                    "gh#1",
                    "github:acme/credential-authorization/1",
                    CredentialKind::Token,
                    last,
                )],
                leaks: vec![leak(handle(
                    "github-last8",
                    crate::text::last_chars(last, 8),
                ))],
                ..Inventory::default()
            };
            correlate(&mut inv);
            assert_eq!(inv.leaks[0].live, ["gh#1"], "{last:?}");
        }
    }
}
