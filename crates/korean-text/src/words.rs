//! Splitting text into words: runs of letters and digits between spaces and punctuation, each
//! split again where the script changes ("아이폰15프로맥스" → 아이폰 / 15 / 프로맥스), because
//! Korean titles glue model numbers and brand names to Hangul without a space.

use crate::hangul;

/// The script of a character, as far as splitting words is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Syllables and jamo.
    Hangul,
    /// Latin letters, lower-cased.
    Latin,
    /// Decimal digits.
    Digit,
    /// Any other letter (Han, kana, Cyrillic, …), kept as it is.
    Other,
}

impl Script {
    pub fn of(c: char) -> Option<Script> {
        if hangul::is_hangul(c) {
            Some(Script::Hangul)
        } else if c.is_ascii_digit() {
            Some(Script::Digit)
        } else if c.is_ascii_alphabetic() || (c.is_alphabetic() && is_latin(c)) {
            Some(Script::Latin)
        } else if c.is_alphanumeric() {
            Some(Script::Other)
        } else {
            None
        }
    }
}

fn is_latin(c: char) -> bool {
    // Latin-1 Supplement to Latin Extended-B, and Latin Extended Additional.
    matches!(u32::from(c), 0x00C0..=0x024F | 0x1E00..=0x1EFF)
}

/// One piece of a word in one script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    pub script: Script,
}

/// A run of letters and digits between separators, and its parts by script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The whole run, normalised.
    pub text: String,
    /// The run split where the script changes; one part when it does not.
    pub parts: Vec<Part>,
    /// Whether only whitespace separates this word from the one before (not punctuation): Korean
    /// spacing is loose, so "접이식 자전거" and "접이식자전거" are the same words.
    pub spaced_from_previous: bool,
}

impl Word {
    /// Whether the word is a compound of several scripts.
    pub fn is_compound(&self) -> bool {
        self.parts.len() > 1
    }
}

/// `text` normalised for matching: decomposed Hangul composed, full-width ASCII (ＡＢＣ１２３)
/// made ASCII, everything lower-cased.
pub fn normalize(text: &str) -> String {
    let composed = hangul::compose(text);
    let mut out = String::with_capacity(composed.len());
    for c in composed.chars() {
        let c = match u32::from(c) {
            // Full-width forms of U+0021–U+007E.
            code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFF01 + 0x21).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        };
        out.extend(c.to_lowercase());
    }
    out
}

/// The words of `text`, normalised, in order.
pub fn words(text: &str) -> Vec<Word> {
    let text = normalize(text);
    let mut words = Vec::new();
    let mut current: Option<Word> = None;
    // What separated the coming word from the previous one: only whitespace, or punctuation too.
    let mut only_space = true;
    let mut seen_any = false;
    for c in text.chars() {
        if let Some(script) = Script::of(c) {
            let word = current.get_or_insert_with(|| Word {
                text: String::new(),
                parts: Vec::new(),
                spaced_from_previous: seen_any && only_space,
            });
            word.text.push(c);
            match word.parts.last_mut() {
                Some(part) if part.script == script => part.text.push(c),
                _ => word.parts.push(Part { text: c.to_string(), script }),
            }
        } else {
            if let Some(word) = current.take() {
                words.push(word);
                seen_any = true;
                only_space = true;
            }
            if !c.is_whitespace() {
                only_space = false;
            }
        }
    }
    words.extend(current);
    words
}

/// A query normalised for counting: lower-cased, words joined by single spaces. "아이폰  15"
/// and "아이폰 15" are one query.
pub fn normalize_query(text: &str) -> String {
    normalize(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Vec<Vec<String>> {
        words(text).into_iter().map(|word| word.parts.into_iter().map(|part| part.text).collect()).collect()
    }

    #[test]
    fn words_split_at_spaces_punctuation_and_script_changes() {
        assert_eq!(parts("아이폰15프로맥스"), vec![vec!["아이폰", "15", "프로맥스"]]);
        assert_eq!(parts("갤럭시 S24 울트라!"), vec![vec!["갤럭시"], vec!["s", "24"], vec!["울트라"]]);
        assert_eq!(
            parts("[급처]맥북프로M3/16GB"),
            vec![vec!["급처"], vec!["맥북프로", "m", "3"], vec!["16", "gb"]]
        );
        assert_eq!(parts("  "), Vec::<Vec<String>>::new());
        assert_eq!(parts("漢字テスト"), vec![vec!["漢字テスト"]]);
    }

    #[test]
    fn the_whole_run_is_kept() {
        let word = &words("아이폰15프로맥스")[0];
        assert_eq!(word.text, "아이폰15프로맥스");
        assert!(word.is_compound());
        assert!(!words("자전거")[0].is_compound());
    }

    #[test]
    fn spacing_is_told_from_punctuation() {
        let spaced: Vec<bool> =
            words("접이식 자전거, 판매 / 급처").iter().map(|w| w.spaced_from_previous).collect();
        assert_eq!(spaced, vec![false, true, false, false]);
    }

    #[test]
    fn normalising_lowercases_and_folds_full_width() {
        assert_eq!(normalize("iPhone ＰＳ５"), "iphone ps5");
        assert_eq!(normalize("\u{110B}\u{1161}"), "아");
        assert_eq!(normalize("Café"), "café");
        assert_eq!(parts("Café"), vec![vec!["café"]]);
    }

    #[test]
    fn queries_normalise_their_spacing() {
        assert_eq!(normalize_query("  아이폰   15 Pro "), "아이폰 15 pro");
    }
}
