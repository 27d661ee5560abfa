//! The on-disk ETag cache: one JSON file per URL (named by a hash of the scrubbed URL), in a
//! directory only the owner can enter, each file only the owner can read. It never holds a
//! token (requests' headers are not stored), and bodies are stored with credential-bearing
//! fields and URLs scrubbed.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Keys whose values are credentials wherever they appear in a body.
const SECRET_KEYS: &[&str] = &[
    "token",
    "access_token",
    "refresh_token",
    "secret",
    "client_secret",
    "password",
    "private_key",
    "private_key_pem",
    "webhook_secret",
];

/// A cached entry, or None when absent or unreadable (a damaged entry is refetched).
pub fn read<T: DeserializeOwned>(p: &Path) -> Option<T> {
    let bytes = std::fs::read(p).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes an entry atomically, owner-only. Failures are ignored: the cache is an
/// optimisation, and a scan never fails for it.
pub fn write<T: Serialize>(p: &Path, entry: &T) {
    let Some(dir) = p.parent() else { return };
    if create_private_dir(dir).is_err() {
        return;
    }
    let Ok(bytes) = serde_json::to_vec(entry) else {
        return;
    };
    let tmp = p.with_extension(format!("tmp{}", std::process::id()));
    if write_private(&tmp, &bytes).is_ok() && std::fs::rename(&tmp, p).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !dir.is_dir() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        // An existing directory (from an older version) is tightened too.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

fn write_private(p: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(p)?;
    f.write_all(bytes)
}

/// A response body with credential-bearing fields replaced and every URL scrubbed. A body
/// that is not JSON is stored as it is (GitHub's API answers JSON).
pub fn scrub_body(body: &str) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(body) else {
        return body.to_string();
    };
    scrub(&mut v);
    v.to_string()
}

fn scrub(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()) && x.is_string() {
                    *x = Value::String(crate::http::SCRUBBED.into());
                } else {
                    scrub(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(scrub),
        Value::String(s) if s.contains("://") => *s = crate::http::scrub_url(s),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_lose_their_credentials() {
        let b = r#"[{"config":{"url":"https://u:pw@hooks.slack.com/services/T1/B2/XYZ","secret":"s3cr3t"},"token":"ghs_abc"}]"#;
        let out = scrub_body(b);
        for gone in ["pw", "XYZ", "s3cr3t", "ghs_abc"] {
            assert!(!out.contains(gone), "{out}");
        }
        assert!(out.contains("hooks.slack.com/services/REDACTED"), "{out}");
    }
}
