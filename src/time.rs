//! Parsing the timestamps providers print, and the scan clock.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Parses a provider timestamp: RFC 3339 (`2019-05-07T15:35:54+00:00`, `...Z`), the space
/// separated form the AWS CLI sometimes prints (`2019-12-18 19:10:08+00:00`), or a bare date.
/// Placeholders (`N/A`, `no_information`, `not_supported`, empty) are `None`.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() || matches!(s, "N/A" | "no_information" | "not_supported" | "null") {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // A one-digit offset hour (`-8:00`), as some published examples print it.
    if s.len() > 5
        && let Some(ix) = s.rfind(['+', '-'])
        && ix > 10
        && let Some((head, signed)) = s.split_at_checked(ix)
        && let Some((sign, offset)) = signed.split_at_checked(1)
        && offset.len() == 4
        && offset.as_bytes().get(1) == Some(&b':')
    {
        let fixed = format!("{head}{sign}0{offset}");
        if let Ok(t) = DateTime::parse_from_rfc3339(&fixed) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    parse_date(s).map(|d| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists")))
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Parses `--as-of`: a date (midnight UTC) or an RFC 3339 timestamp.
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>, String> {
    if let Some(d) = parse_date(s) {
        return Ok(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists")));
    }
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("bad date `{s}`: expected YYYY-MM-DD or an RFC 3339 timestamp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aws_forms() {
        let a = parse_time("2019-12-18 19:10:08+00:00").unwrap();
        let b = parse_time("2019-12-18T19:10:08Z").unwrap();
        assert_eq!(a, b);
        assert!(parse_time("2021-03-13T18:40:54.123+00:00").is_some());
        assert_eq!(parse_time("N/A"), None);
        assert_eq!(parse_time("no_information"), None);
        assert_eq!(parse_time("garbage"), None);
        assert_eq!(
            parse_time("2021-03-01T00:00:00-8:00"),
            parse_time("2021-03-01T08:00:00Z")
        );
        assert!(parse_as_of("2026-11-15").is_ok());
        assert!(parse_as_of("2026-13-15").is_err());
    }

    #[test]
    fn hostile_timestamps_are_none_not_panics() {
        for s in [
            "",
            "+",
            "-",
            "*",
            "é",
            "😀",
            // A sign at the end, and short or multi-byte offsets after it.
            "2021-03-01T00:00:00+",
            "2021-03-01T00:00:00-",
            "2021-03-01T00:00:00-8",
            "2021-03-01T00:00:00-8:",
            "2021-03-01T00:00:00-é:0",
            "2021-03-01T00:00:00-8é0",
            "2021-03-01T00:00:00-8:é",
            "2021-03-01T00:00:00-😀",
            "2021-03-01T00:00:00+8:0😀",
            "ééééééééééé-8:00",
            "éééééé+8:00",
            "😀😀😀-8:00",
        ] {
            assert_eq!(parse_time(s), None, "{s:?}");
            assert!(parse_as_of(s).is_err(), "{s:?}");
        }
    }
}
