//! Shared wording for the leak rules: where a leaked credential is, redacted.

use crate::model::{Leak, LeakLocation};
use crate::text::first_chars;

/// One location, for evidence.
pub fn place(l: &LeakLocation) -> String {
    let mut s = format!("{}: {}:{}:{}", l.repository, l.path, l.line, l.column);
    if let Some(c) = &l.commit {
        s.push_str(&format!(", introduced in {}", first_chars(c, 12)));
        if let Some(a) = &l.author {
            s.push_str(&format!(" by {a}"));
        }
        if let Some(d) = l.date {
            s.push_str(&format!(" on {}", d.format("%Y-%m-%d")));
        }
    }
    s.push_str(if l.at_head {
        "; still present"
    } else {
        "; removed since, but in the history"
    });
    if let Some(a) = &l.allowed {
        s.push_str(&format!(" ({a})"));
    }
    s
}

/// Evidence lines for a leak: what it is and where (at most ten places).
pub fn evidence(leak: &Leak) -> Vec<String> {
    let mut ev = vec![format!(
        "{} ({}, `{}`){}",
        leak.name,
        leak.rule,
        leak.preview,
        if leak.validated {
            ", format validated"
        } else {
            ""
        }
    )];
    ev.extend(leak.locations.iter().take(10).map(place));
    if leak.locations.len() > 10 {
        ev.push(format!("and {} more place(s)", leak.locations.len() - 10));
    }
    if let Some(f) = &leak.fixture {
        ev.push(format!("looks like a test fixture: {f}"));
    }
    ev
}

/// Why every location of a leak is allowed, if each is.
pub fn allowed(leak: &Leak) -> Option<String> {
    let reasons: Vec<&str> = leak
        .locations
        .iter()
        .map(|l| l.allowed.as_deref())
        .collect::<Option<_>>()?;
    let mut reasons: Vec<&str> = reasons;
    reasons.dedup();
    Some(reasons.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_multibyte_commit_in_place() {
        // A commit id is cut to twelve characters; one that is not hex (from a saved report)
        // used to be cut at byte 12, inside `é` (a panic).
        let mut l = LeakLocation {
            repository: "r".into(),
            path: "p".into(),
            line: 1,
            column: 1,
            commit: Some("aéééééééééééé".into()),
            author: None,
            date: None,
            at_head: true,
            allowed: None,
        };
        assert_eq!(
            place(&l),
            "r: p:1:1, introduced in aééééééééééé; still present"
        );
        l.commit = Some("0123456789abcdef".into());
        assert_eq!(
            place(&l),
            "r: p:1:1, introduced in 0123456789ab; still present"
        );
        l.commit = Some(String::new());
        assert_eq!(place(&l), "r: p:1:1, introduced in ; still present");
    }
}
