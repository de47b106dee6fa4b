//! What an index stores of a title: the terms of its three analyses.
//!
//! - [`text_terms`]: each word, its Hangul syllable bigrams, a unigram for a one-syllable word,
//!   and the whole run of a compound ("아이폰15프로맥스"). A query word matches a title when all
//!   its bigrams are there, so "자전거" (자전, 전거) finds "접이식자전거" without a dictionary.
//!   Bigrams also bridge a space between two Hangul words, so "접이식자전거" finds "접이식 자전거".
//! - [`keystroke_terms`]: edge n-grams of each word as keystrokes (jamo, compound letters split),
//!   from each syllable on: the prefixes autocomplete looks up, and what a one-edit fuzzy query
//!   runs against.
//! - [`choseong_terms`]: edge n-grams of the words' initial consonants (초성), so "ㅇㅇㅍ" finds
//!   "아이폰".

use crate::{
    hangul,
    words::{Script, words},
};

/// The longest n-gram kept, in keystrokes: beyond it, a prefix is specific enough.
pub const MAX_GRAM: usize = 32;

/// Syllable bigrams of a Hangul word; the word itself when it has one syllable.
pub fn bigrams(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 2 {
        return vec![word.to_owned()];
    }
    chars.windows(2).map(|pair| pair.iter().collect()).collect()
}

/// The terms of the text field: words, bigrams, unigrams of one-syllable words, whole compounds.
pub fn text_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    // The last syllable of the previous word, when it ends in Hangul.
    let mut previous_tail: Option<char> = None;
    for word in words(text) {
        if word.is_compound() {
            terms.push(word.text.clone());
        }
        let first = word.parts.first();
        if let (Some(tail), Some(first)) = (previous_tail, first)
            && word.spaced_from_previous
            && first.script == Script::Hangul
            && let Some(head) = first.text.chars().next()
        {
            terms.push([tail, head].iter().collect());
        }
        for part in &word.parts {
            match part.script {
                Script::Hangul => {
                    let grams = bigrams(&part.text);
                    if part.text.chars().count() > 2 {
                        terms.push(part.text.clone());
                    }
                    terms.extend(grams);
                }
                Script::Latin | Script::Digit | Script::Other => terms.push(part.text.clone()),
            }
        }
        previous_tail = word
            .parts
            .last()
            .filter(|part| part.script == Script::Hangul)
            .and_then(|part| part.text.chars().last());
    }
    terms
}

/// Edge n-grams of `keys`, from `min` keystrokes up to [`MAX_GRAM`].
fn edge_grams(keys: &[char], min: usize, out: &mut Vec<String>) {
    for end in min..=keys.len().min(MAX_GRAM) {
        out.push(keys[..end].iter().collect());
    }
}

/// The starts of a part's suffixes that get edge n-grams: every syllable of a Hangul word (so
/// "자전" completes to "접이식자전거"'s 자전거), only the start of a Latin or digit word.
fn suffixes(text: &str, script: Script) -> Vec<&str> {
    match script {
        Script::Hangul => text.char_indices().map(|(at, _)| &text[at..]).collect(),
        Script::Latin | Script::Digit | Script::Other => vec![text],
    }
}

/// The words the keystroke field's edge n-grams are cut from: every word part as keystrokes,
/// and every suffix of a Hangul part from a later syllable on. An index with an edge n-gram
/// analyzer of its own (Elasticsearch) is given these.
pub fn keystroke_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in words(text) {
        for part in &word.parts {
            out.extend(suffixes(&part.text, part.script).into_iter().map(hangul::keystrokes));
        }
    }
    out
}

/// The words the 초성 field's edge n-grams are cut from: the initials of every Hangul part and
/// of its suffixes from a later syllable on, and of two spaced Hangul words joined.
pub fn choseong_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in words(text) {
        for part in word.parts.iter().filter(|part| part.script == Script::Hangul) {
            out.extend(suffixes(&part.text, part.script).into_iter().map(hangul::choseong));
        }
    }
    out.extend(choseong_bridges(text).into_iter().map(|bridge| bridge.replace(' ', "")));
    out
}

/// The terms of the keystroke field: edge n-grams of every word part as keystrokes, from its
/// start (from one keystroke) and from every later syllable (from two).
pub fn keystroke_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for word in words(text) {
        for part in &word.parts {
            for (n, suffix) in suffixes(&part.text, part.script).into_iter().enumerate() {
                let keys: Vec<char> = hangul::keystrokes(suffix).chars().collect();
                edge_grams(&keys, if n == 0 { 1 } else { 2 }, &mut terms);
            }
        }
    }
    terms
}

/// The terms of the 초성 field: edge n-grams of the initials of every Hangul part, from its
/// start (from one initial) and from every later syllable (from two); and across a space
/// between two Hangul words, so "ㅇㅍㅇㅊ" finds "애플 워치".
pub fn choseong_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for word in words(text) {
        for part in word.parts.iter().filter(|part| part.script == Script::Hangul) {
            let initials: Vec<char> = hangul::choseong(&part.text).chars().collect();
            for start in 0..initials.len() {
                edge_grams(&initials[start..], if start == 0 { 1 } else { 2 }, &mut terms);
            }
        }
    }
    for bridge in choseong_bridges(text) {
        // Only the grams that cross the space: the others are there already.
        let before = bridge.chars().take_while(|c| *c != ' ').count();
        let joined: Vec<char> = bridge.chars().filter(|c| *c != ' ').collect();
        edge_grams(&joined, before + 1, &mut terms);
    }
    terms
}

/// The initials of two spaced Hangul words, from each syllable of the first: "애플 워치" →
/// "ㅇㅍ ㅇㅊ", "ㅍ ㅇㅊ" (the space marks where the second starts).
fn choseong_bridges(text: &str) -> Vec<String> {
    let words = words(text);
    let mut bridges = Vec::new();
    for pair in words.windows(2) {
        let (Some(left), Some(right)) = (pair[0].parts.last(), pair[1].parts.first()) else { continue };
        if !pair[1].spaced_from_previous || left.script != Script::Hangul || right.script != Script::Hangul {
            continue;
        }
        let tail = hangul::choseong(&right.text);
        for suffix in suffixes(&left.text, Script::Hangul) {
            bridges.push(format!("{} {tail}", hangul::choseong(suffix)));
        }
    }
    bridges
}

/// Where `prefix` (keystrokes, or initials when `choseong`) starts within the Hangul, Latin or
/// digit part `part`: the completed suffix, preferring the part's start. "ㅈㅈ" in "접이식자전거"
/// is "자전거".
pub fn completion<'a>(part: &'a str, script: Script, prefix: &str, choseong: bool) -> Option<&'a str> {
    suffixes(part, script).into_iter().find(|suffix| {
        if choseong {
            script == Script::Hangul && hangul::choseong(suffix).starts_with(prefix)
        } else {
            hangul::keystrokes(suffix).starts_with(prefix)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(terms: &[String], term: &str) -> bool {
        terms.iter().any(|t| t == term)
    }

    #[test]
    fn bigrams_of_words() {
        assert_eq!(bigrams("자전거"), vec!["자전", "전거"]);
        assert_eq!(bigrams("폰"), vec!["폰"]);
        assert_eq!(bigrams("의자"), vec!["의자"]);
    }

    #[test]
    fn text_terms_hold_words_bigrams_unigrams_and_compounds() {
        let terms = text_terms("아이폰15프로맥스 새 폰");
        for term in [
            "아이폰15프로맥스",
            "아이폰",
            "아이",
            "이폰",
            "15",
            "프로맥스",
            "프로",
            "로맥",
            "맥스",
            "새",
            "폰",
        ] {
            assert!(has(&terms, term), "{term} in {terms:?}");
        }
        assert!(has(&terms, "스새"), "a space between Hangul is bridged");
        assert!(!has(&text_terms("아이폰15"), "폰1"), "a script change is not");
    }

    #[test]
    fn a_query_words_bigrams_are_found_inside_compounds() {
        let terms = text_terms("접이식자전거 팝니다");
        assert!(bigrams("자전거").iter().all(|gram| has(&terms, gram)));
    }

    #[test]
    fn bigrams_bridge_spaces_between_hangul_words_but_not_punctuation() {
        let terms = text_terms("접이식 자전거, 판매");
        assert!(has(&terms, "식자"), "{terms:?}");
        assert!(!has(&terms, "거판"), "a comma is a real boundary");
        assert!(bigrams("접이식자전거").iter().all(|gram| has(&terms, gram)));
    }

    #[test]
    fn latin_words_are_whole_and_lower_case() {
        assert_eq!(text_terms("iPhone 15 PRO"), vec!["iphone", "15", "pro"]);
        assert_eq!(text_terms("PS5"), vec!["ps5", "ps", "5"]);
    }

    #[test]
    fn keystroke_grams_start_at_every_syllable() {
        let terms = keystroke_terms("자전거");
        assert!(has(&terms, "ㅈ"));
        assert!(has(&terms, "ㅈㅏㅈㅓ"), "{terms:?}");
        assert!(has(&terms, "ㅈㅏㅈㅓㄴㄱㅓ"));
        assert!(has(&terms, "ㅈㅓㄴ"), "from the second syllable");
        assert!(!has(&terms, "ㅓ"), "a later start needs two keystrokes");
        let latin = keystroke_terms("iPhone");
        assert_eq!(latin, vec!["i", "ip", "iph", "ipho", "iphon", "iphone"]);
    }

    #[test]
    fn the_words_grams_are_cut_from() {
        assert_eq!(keystroke_words("자전거 ps5"), vec!["ㅈㅏㅈㅓㄴㄱㅓ", "ㅈㅓㄴㄱㅓ", "ㄱㅓ", "ps", "5"]);
        assert_eq!(choseong_words("자전거 ps5"), vec!["ㅈㅈㄱ", "ㅈㄱ", "ㄱ"]);
    }

    #[test]
    fn grams_stop_at_the_longest_kept() {
        let long = "가".repeat(40);
        assert!(keystroke_terms(&long).iter().all(|term| term.chars().count() <= MAX_GRAM));
    }

    #[test]
    fn choseong_grams() {
        let terms = choseong_terms("아이폰15프로맥스");
        for term in ["ㅇ", "ㅇㅇ", "ㅇㅇㅍ", "ㅍㄹㅁㅅ", "ㅁㅅ", "ㅇㅍ"] {
            assert!(has(&terms, term), "{term} in {terms:?}");
        }
        assert!(!has(&choseong_terms("접이식자전거"), "ㄱ"), "a later start needs two initials");
        assert!(choseong_terms("iphone").is_empty());
    }

    #[test]
    fn choseong_bridges_a_space_between_hangul_words() {
        let terms = choseong_terms("애플 워치 SE");
        assert!(has(&terms, "ㅇㅍㅇㅊ") && has(&terms, "ㅇㅍㅇ") && has(&terms, "ㅍㅇㅊ"), "{terms:?}");
        assert!(!has(&choseong_terms("애플, 워치"), "ㅇㅍㅇㅊ"), "not across punctuation");
        assert!(choseong_words("애플 워치").contains(&"ㅇㅍㅇㅊ".to_owned()));
    }

    #[test]
    fn completions_find_the_matching_suffix() {
        assert_eq!(completion("접이식자전거", Script::Hangul, "ㅈㅏㅈ", false), Some("자전거"));
        assert_eq!(completion("접이식자전거", Script::Hangul, "ㅈㅇ", true), Some("접이식자전거"));
        assert_eq!(completion("접이식자전거", Script::Hangul, "ㅈㄱ", true), Some("전거"));
        assert_eq!(completion("iphone", Script::Latin, "iph", false), Some("iphone"));
        assert_eq!(completion("iphone", Script::Latin, "pho", false), None);
    }
}
