//! Handling credential values: they are fingerprinted and previewed the moment they are
//! found, and never stored, logged or printed.
//!
//! The fingerprint is an HMAC-SHA256 of the value under a key that never leaves the machine
//! (`NHI_FINGERPRINT_KEY`, or a random key kept in the user's config directory), so the same
//! secret has the same fingerprint across files and runs, but a report cannot be used to
//! confirm a guess of the secret without the key.

use std::path::PathBuf;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// The fingerprint key and where it came from.
pub struct FingerprintKey {
    key: Vec<u8>,
    /// Whether fingerprints are stable across runs (false: a key for this run only).
    pub stable: bool,
}

fn key_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("nhi").join("fingerprint.key"))
}

fn random_key() -> Option<Vec<u8>> {
    use std::io::Read;
    let mut buf = vec![0u8; 32];
    std::fs::File::open("/dev/urandom")
        .ok()?
        .read_exact(&mut buf)
        .ok()?;
    Some(buf)
}

fn load() -> FingerprintKey {
    if let Some(k) = std::env::var_os("NHI_FINGERPRINT_KEY").filter(|k| !k.is_empty()) {
        return FingerprintKey {
            key: k.to_string_lossy().as_bytes().to_vec(),
            stable: true,
        };
    }
    if let Some(p) = key_path() {
        if let Ok(k) = std::fs::read(&p)
            .map_err(drop)
            .and_then(|k| if k.len() >= 16 { Ok(k) } else { Err(()) })
        {
            return FingerprintKey {
                key: k,
                stable: true,
            };
        }
        if let Some(k) = random_key() {
            let saved = p
                .parent()
                .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
                && write_private(&p, &k);
            return FingerprintKey {
                key: k,
                stable: saved,
            };
        }
    }
    // No randomness and no home: a per-process key derived from the clock and pid.
    let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
    FingerprintKey {
        key: Sha256::digest(seed.as_bytes()).to_vec(),
        stable: false,
    }
}

fn write_private(p: &std::path::Path, k: &[u8]) -> bool {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(p)
            .and_then(|mut f| f.write_all(k))
            .is_ok()
    }
    #[cfg(not(unix))]
    {
        std::fs::write(p, k).is_ok()
    }
}

/// The process-wide fingerprint key.
pub fn key() -> &'static FingerprintKey {
    static KEY: OnceLock<FingerprintKey> = OnceLock::new();
    KEY.get_or_init(load)
}

/// HMAC-SHA256 (RFC 2104) of a value, hex, first 16 bytes.
pub fn fingerprint(value: &[u8]) -> String {
    let k = &key().key;
    let mut block = [0u8; 64];
    if k.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(k));
    } else {
        block[..k.len()].copy_from_slice(k);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(value);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A short preview: a few leading characters (never more than a quarter of the value), then
/// an ellipsis.
pub fn preview(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let chars: Vec<char> = text.chars().collect();
    let n = (chars.len() / 4).min(4);
    let shown: String = chars[..n].iter().filter(|c| !c.is_control()).collect();
    format!("{shown}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_shows_little() {
        assert_eq!(
            preview(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "ghp_…"
        );
        assert_eq!(preview(b"short"), "s…");
        assert_eq!(preview(b"ab"), "…");
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        assert_eq!(fingerprint(b"secret-one"), fingerprint(b"secret-one"));
        assert_ne!(fingerprint(b"secret-one"), fingerprint(b"secret-two"));
        assert_eq!(fingerprint(b"x").len(), 32);
    }
}
