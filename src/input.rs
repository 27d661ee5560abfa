//! Reading input files within a documented bound: evidence files and saved reports larger
//! than [`MAX_INPUT`] are refused with a message naming the file and its size, never read
//! whole without bound. The bound is checked before reading and enforced while reading (a
//! file that grows meanwhile stops at the bound).

use std::io::Read;
use std::path::Path;

/// The largest evidence file or saved report read (1 GiB; documented in docs/configuration.md).
pub const MAX_INPUT: u64 = 1 << 30;

/// Reads a file of at most `max` bytes; `name` is used in errors.
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let name = path.display();
    let f = std::fs::File::open(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let too_big = |n: u64| {
        format!(
            "{name}: {} MiB is larger than the {} MiB an input file may be (split the export, e.g. one file per account)",
            n >> 20,
            max >> 20
        )
    };
    if len > max {
        return Err(too_big(len));
    }
    let mut out = Vec::with_capacity(len as usize);
    f.take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("{name}: cannot read: {e}"))?;
    if out.len() as u64 > max {
        return Err(too_big(out.len() as u64));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn files_over_the_bound_are_refused_by_name() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big.json");
        std::fs::write(&p, vec![b' '; 4096]).unwrap();
        let e = super::read_bounded(&p, 1024).unwrap_err();
        assert!(e.contains("big.json") && e.contains("larger than"), "{e}");
        assert_eq!(super::read_bounded(&p, 4096).unwrap().len(), 4096);
    }
}
