//! How free text from outside becomes part of a value: once, here, for every text value.
//!
//! Control characters are refused rather than stripped: a NUL cannot be stored in PostgreSQL's
//! JSONB at all, and ESC, BEL or bidirectional overrides in a title or a nickname only ever serve
//! to garble a terminal or disguise a name. Text that passes is trimmed and put in Unicode NFC, so
//! that the same words typed on two keyboards (precomposed 한 or its conjoining jamo) are the same
//! value, search for the same, and compare equal. E-mail addresses are compared as identities:
//! NFKC and full case folding, so that `Ｋｉｍ@Example.com` and `kim@example.com` are one account.

use unicode_normalization::UnicodeNormalization;

/// Whether a text may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lines {
    /// One line: no control character at all.
    One,
    /// Several lines: line feeds, carriage returns and tabs, no other control character.
    Many,
}

/// The trimmed NFC form of `raw`, or `None` when it holds a character no text value may hold.
pub(crate) fn clean(raw: &str, lines: Lines) -> Option<String> {
    if raw.chars().any(|c| forbidden(c, lines)) {
        return None;
    }
    Some(raw.trim().nfc().collect())
}

/// The form in which an e-mail address is compared and stored: trimmed, NFKC, case-folded.
/// `None` when it holds a control character.
pub(crate) fn identity(raw: &str) -> Option<String> {
    if raw.chars().any(|c| forbidden(c, Lines::One)) {
        return None;
    }
    let compatible: String = raw.trim().nfkc().collect();
    Some(caseless::default_case_fold_str(&compatible).nfkc().collect())
}

/// Whether `raw` holds a character that no one-line text may hold (for texts that are not
/// values of their own, such as passwords, which are never normalised).
pub fn has_control_characters(raw: &str) -> bool {
    raw.chars().any(|c| forbidden(c, Lines::One))
}

fn forbidden(c: char, lines: Lines) -> bool {
    let allowed_whitespace = lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
    (c.is_control() && !allowed_whitespace) || is_bidi_control(c)
}

/// Bidirectional embeddings, overrides and isolates: invisible, and able to show a text in
/// another order than it is stored (the "Trojan Source" trick).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_nul_and_other_control_characters_on_one_line() {
        for bad in ["a\u{0}b", "\u{1b}[31mred", "bell\u{7}", "tab\there", "two\nlines", "\u{202E}evil"] {
            assert_eq!(clean(bad, Lines::One), None, "{bad:?} should be refused");
        }
    }

    #[test]
    fn many_lines_allow_line_breaks_and_tabs_only() {
        assert_eq!(clean(" a\r\n\tb ", Lines::Many).as_deref(), Some("a\r\n\tb"));
        assert_eq!(clean("a\u{0}b", Lines::Many), None);
        assert_eq!(clean("a\u{1b}b", Lines::Many), None);
    }

    #[test]
    fn composes_hangul_typed_as_jamo() {
        let jamo = "\u{1112}\u{1161}\u{11AB}"; // ᄒ + ᅡ + ᆫ
        assert_eq!(clean(jamo, Lines::One).as_deref(), Some("한"));
    }

    #[test]
    fn e_mail_identities_fold_width_and_case() {
        assert_eq!(identity(" Ｋｉｍ@Example.COM ").as_deref(), Some("kim@example.com"));
        assert_eq!(identity("STRASSE@example.com"), identity("straße@example.com"));
        assert_eq!(identity("kim\u{0}@example.com"), None);
    }
}
