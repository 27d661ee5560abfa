//! Cutting text at a count of characters, never inside one: the one place where the program
//! shortens text it did not write (a token's last eight characters, a preview, a message cut
//! short). A byte index into such text can fall inside a multi-byte character and panic.

/// The first `n` characters of `s`, or all of `s` when it has no more than `n`.
pub fn first_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((end, _)) => s.split_at_checked(end).map_or(s, |(head, _)| head),
        None => s,
    }
}

/// The last `n` characters of `s`, or all of `s` when it has no more than `n`.
pub fn last_chars(s: &str, n: usize) -> &str {
    let Some(back) = n.checked_sub(1) else {
        return "";
    };
    match s.char_indices().nth_back(back) {
        Some((start, _)) => s.split_at_checked(start).map_or(s, |(_, tail)| tail),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_chars_counts_characters_not_bytes() {
        assert_eq!(first_chars("abcdef", 3), "abc");
        assert_eq!(first_chars("abc", 3), "abc");
        assert_eq!(first_chars("ab", 3), "ab");
        assert_eq!(first_chars("abc", 0), "");
        assert_eq!(first_chars("", 4), "");
        // "é" is two bytes, "😀" four: a byte count would cut inside them.
        assert_eq!(first_chars("éééé", 3), "ééé");
        assert_eq!(first_chars("a😀b", 2), "a😀");
        assert_eq!(first_chars("😀", 1), "😀");
        assert_eq!(first_chars("😀", 0), "");
        // A combining accent is a character of its own.
        assert_eq!(first_chars("e\u{301}x", 1), "e");
    }

    #[test]
    fn last_chars_counts_characters_not_bytes() {
        assert_eq!(last_chars("0123456789", 8), "23456789");
        assert_eq!(last_chars("12345678", 8), "12345678");
        assert_eq!(last_chars("123", 8), "123");
        assert_eq!(last_chars("abc", 0), "");
        assert_eq!(last_chars("", 8), "");
        assert_eq!(last_chars("ééééé", 3), "ééé");
        assert_eq!(last_chars("x😀y", 2), "😀y");
        assert_eq!(last_chars("😀", 1), "😀");
        assert_eq!(last_chars("😀", 0), "");
        assert_eq!(last_chars("aé1234567", 8), "é1234567");
    }
}
