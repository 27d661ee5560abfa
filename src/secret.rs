//! Handling credential values.
//!
//! Values the program must keep (its own credentials: tokens from the environment or files,
//! the GitHub App private key, connector inputs marked `secret`, OAuth access tokens, signed
//! assertions, the redactor's list) live in a [`Secret`]: its `Debug` and `Display` print a
//! fixed placeholder and it has no `Serialize`, so a type holding one can derive `Debug` and
//! no format, log or error can carry the value by accident. [`Secret::expose`] is the one way
//! to read it, and is called only where the value is sent to its provider.
//!
//! Values found in scanned data (leaked credentials) are never kept at all: they are
//! fingerprinted and previewed the moment they are found.
//!
//! The fingerprint is an HMAC-SHA256 of the value under a key that never leaves the machine
//! (`NHI_FINGERPRINT_KEY`, or a random key kept in the user's config directory), so the same
//! secret has the same fingerprint across files and runs, but a report cannot be used to
//! confirm a guess of the secret without the key.

use std::path::PathBuf;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// A secret value held in memory. `Debug` and `Display` print [`Secret::PLACEHOLDER`]; there is
/// no `Serialize`; the value is overwritten when dropped.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// What `Debug` and `Display` print instead of the value.
    pub const PLACEHOLDER: &'static str = "<secret>";

    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that sends it to its provider.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Self::PLACEHOLDER)
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Self::PLACEHOLDER)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

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
    // The key, or its digest when longer than the block, zero-padded to the block.
    let digest;
    let k: &[u8] = if k.len() > 64 {
        digest = Sha256::digest(k);
        &digest
    } else {
        k
    };
    let mut block = [0u8; 64];
    for (b, k) in block.iter_mut().zip(k) {
        *b = *k;
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(value);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A short preview: a few leading characters (never more than a quarter of the value), then
/// an ellipsis.
pub fn preview(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let n = (text.chars().count() / 4).min(4);
    let shown: String = crate::text::first_chars(&text, n)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    format!("{shown}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s}"), Secret::PLACEHOLDER);
        assert_eq!(format!("{s:?}"), Secret::PLACEHOLDER);
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(<secret>)");
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

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

    #[test]
    fn preview_of_multibyte_and_empty_values() {
        assert_eq!(preview(b""), "…");
        assert_eq!(preview("ééééééééé".as_bytes()), "éé…");
        assert_eq!(
            preview("😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀".as_bytes()),
            "😀😀😀😀…"
        );
        // Invalid UTF-8 becomes replacement characters, never a cut inside one.
        assert_eq!(preview(&[0xff, 0xfe, 0xc3, 0xa9]), "…");
        assert_eq!(
            preview(&[0xc3, 0xa9, 0xc3, 0xa9, 0xc3, 0xa9, 0xc3, 0xa9, 0xc3]),
            "é…"
        );
    }
}
