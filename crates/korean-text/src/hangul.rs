//! The Hangul arithmetic: a precomposed syllable is
//! `U+AC00 + (initial × 21 + medial) × 28 + final`, so its jamo are a division away.
//!
//! Everything here speaks *compatibility* jamo (U+3131–U+318E, the letters a keyboard shows and a
//! person types alone, as in "ㅇㅇㅍ"), never the conjoining jamo of U+1100, which only appear in
//! decomposed (NFD) text and are composed back by [`compose`].

const SYLLABLE_FIRST: u32 = 0xAC00;
const SYLLABLE_LAST: u32 = 0xD7A3;
const MEDIALS: u32 = 21;
const FINALS: u32 = 28;

/// The 19 initial consonants, in the order of the syllable arithmetic.
const INITIALS: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ', 'ㅌ',
    'ㅍ', 'ㅎ',
];

/// The 21 medial vowels, as keystrokes: a compound vowel (ㅘ) is typed as two keys (ㅗ, ㅏ).
const MEDIAL_KEYS: [&str; 21] = [
    "ㅏ", "ㅐ", "ㅑ", "ㅒ", "ㅓ", "ㅔ", "ㅕ", "ㅖ", "ㅗ", "ㅗㅏ", "ㅗㅐ", "ㅗㅣ", "ㅛ", "ㅜ", "ㅜㅓ", "ㅜㅔ",
    "ㅜㅣ", "ㅠ", "ㅡ", "ㅡㅣ", "ㅣ",
];

/// The 28 finals (the first is "none"), as keystrokes: a compound final (ㄳ) is two keys.
const FINAL_KEYS: [&str; 28] = [
    "", "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄹ", "ㄹㄱ", "ㄹㅁ", "ㄹㅂ", "ㄹㅅ", "ㄹㅌ", "ㄹㅍ",
    "ㄹㅎ", "ㅁ", "ㅂ", "ㅂㅅ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ",
];

/// Compatibility jamo that are two keystrokes, split as a keyboard types them.
const COMPOUND_JAMO: [(char, &str); 18] = [
    ('ㄳ', "ㄱㅅ"),
    ('ㄵ', "ㄴㅈ"),
    ('ㄶ', "ㄴㅎ"),
    ('ㄺ', "ㄹㄱ"),
    ('ㄻ', "ㄹㅁ"),
    ('ㄼ', "ㄹㅂ"),
    ('ㄽ', "ㄹㅅ"),
    ('ㄾ', "ㄹㅌ"),
    ('ㄿ', "ㄹㅍ"),
    ('ㅀ', "ㄹㅎ"),
    ('ㅄ', "ㅂㅅ"),
    ('ㅘ', "ㅗㅏ"),
    ('ㅙ', "ㅗㅐ"),
    ('ㅚ', "ㅗㅣ"),
    ('ㅝ', "ㅜㅓ"),
    ('ㅞ', "ㅜㅔ"),
    ('ㅟ', "ㅜㅣ"),
    ('ㅢ', "ㅡㅣ"),
];

/// The jamo indices of a precomposed syllable: (initial, medial, final), final 0 for none.
pub fn syllable_parts(syllable: char) -> Option<(usize, usize, usize)> {
    let code = u32::from(syllable);
    if !(SYLLABLE_FIRST..=SYLLABLE_LAST).contains(&code) {
        return None;
    }
    let index = code - SYLLABLE_FIRST;
    let initial = index / (MEDIALS * FINALS);
    let medial = (index % (MEDIALS * FINALS)) / FINALS;
    let last = index % FINALS;
    // The quotients are below 28 by construction.
    Some((initial as usize, medial as usize, last as usize))
}

/// The syllable of `initial`, `medial` and `final_` (indices as in [`syllable_parts`]).
pub fn syllable(initial: usize, medial: usize, final_: usize) -> Option<char> {
    if initial >= INITIALS.len() || medial >= MEDIAL_KEYS.len() || final_ >= FINAL_KEYS.len() {
        return None;
    }
    // Bounded by the checks above: at most 18 × 588 + 20 × 28 + 27 = 11171.
    let offset = u32::try_from(initial * 588 + medial * 28 + final_).ok()?;
    char::from_u32(SYLLABLE_FIRST + offset)
}

/// Whether `c` is a precomposed Hangul syllable (가–힣).
pub fn is_syllable(c: char) -> bool {
    (SYLLABLE_FIRST..=SYLLABLE_LAST).contains(&u32::from(c))
}

/// Whether `c` is a compatibility jamo (ㄱ–ㆎ).
pub fn is_compatibility_jamo(c: char) -> bool {
    ('\u{3131}'..='\u{318E}').contains(&c)
}

/// Whether `c` is a compatibility consonant (ㄱ–ㅎ), what a 초성 query is made of.
pub fn is_consonant(c: char) -> bool {
    ('\u{3131}'..='\u{314E}').contains(&c)
}

/// Whether `c` is Hangul of any kind: a syllable, a compatibility or a conjoining jamo.
pub fn is_hangul(c: char) -> bool {
    is_syllable(c) || is_compatibility_jamo(c) || ('\u{1100}'..='\u{11FF}').contains(&c)
}

/// The initial consonant (초성) of a syllable.
pub fn initial_of(syllable: char) -> Option<char> {
    syllable_parts(syllable).map(|(initial, _, _)| INITIALS[initial])
}

/// `text` as keystrokes: every syllable decomposed into compatibility jamo, compound vowels and
/// finals split in two ("값" → ㄱㅏㅂㅅ, "과" → ㄱㅗㅏ), so that one mistyped key is one edit.
/// Anything that is not Hangul passes through unchanged.
pub fn keystrokes(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for c in text.chars() {
        if let Some((initial, medial, final_)) = syllable_parts(c) {
            out.push(INITIALS[initial]);
            out.push_str(MEDIAL_KEYS[medial]);
            out.push_str(FINAL_KEYS[final_]);
        } else if let Some((_, keys)) = COMPOUND_JAMO.iter().find(|(jamo, _)| *jamo == c) {
            out.push_str(keys);
        } else {
            out.push(c);
        }
    }
    out
}

/// The 초성 of `text`: each syllable's initial consonant; consonants typed alone stay, anything
/// else is dropped ("아이폰" → "ㅇㅇㅍ").
pub fn choseong(text: &str) -> String {
    text.chars().filter_map(|c| if is_consonant(c) { Some(c) } else { initial_of(c) }).collect()
}

/// Whether `word` is a 초성 query: one or more consonants and nothing else ("ㅇㅇㅍ").
pub fn is_choseong(word: &str) -> bool {
    !word.is_empty() && word.chars().all(is_consonant)
}

/// Composes conjoining jamo (U+1100–U+11FF, as NFD text carries them) into precomposed
/// syllables, so that a decomposed "아이폰" reads as the precomposed one. Lone conjoining
/// consonants become compatibility jamo.
pub fn compose(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let lead = conjoining_initial(c);
        let vowel = chars.get(i + 1).copied().and_then(conjoining_medial);
        if let (Some(lead), Some(vowel)) = (lead, vowel) {
            let tail = chars.get(i + 2).copied().and_then(conjoining_final);
            if let Some(composed) = syllable(lead, vowel, tail.unwrap_or(0)) {
                out.push(composed);
                i += if tail.is_some() { 3 } else { 2 };
                continue;
            }
        }
        // A precomposed syllable without a final followed by a conjoining final (LV + T).
        if let (Some((initial, medial, 0)), Some(tail)) =
            (syllable_parts(c), chars.get(i + 1).copied().and_then(conjoining_final))
            && let Some(composed) = syllable(initial, medial, tail)
        {
            out.push(composed);
            i += 2;
            continue;
        }
        match lead {
            Some(lead) => out.push(INITIALS[lead]),
            None => out.push(c),
        }
        i += 1;
    }
    out
}

fn conjoining_initial(c: char) -> Option<usize> {
    let code = u32::from(c);
    (0x1100..=0x1112).contains(&code).then(|| (code - 0x1100) as usize)
}

fn conjoining_medial(c: char) -> Option<usize> {
    let code = u32::from(c);
    (0x1161..=0x1175).contains(&code).then(|| (code - 0x1161) as usize)
}

fn conjoining_final(c: char) -> Option<usize> {
    let code = u32::from(c);
    // Finals start at index 1 (index 0 is "no final").
    (0x11A8..=0x11C2).contains(&code).then(|| (code - 0x11A8 + 1) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arithmetic_round_trips_every_syllable() {
        for code in SYLLABLE_FIRST..=SYLLABLE_LAST {
            let c = char::from_u32(code).unwrap_or('?');
            let (initial, medial, final_) = syllable_parts(c).unwrap_or((99, 99, 99));
            assert_eq!(syllable(initial, medial, final_), Some(c));
        }
        assert_eq!(syllable_parts('a'), None);
        assert_eq!(syllable(19, 0, 0), None);
    }

    #[test]
    fn known_syllables_decompose() {
        assert_eq!(syllable_parts('가'), Some((0, 0, 0)));
        assert_eq!(syllable_parts('힣'), Some((18, 20, 27)));
        assert_eq!(syllable_parts('폰'), Some((17, 8, 4)));
        assert_eq!(syllable(11, 0, 0), Some('아'));
    }

    #[test]
    fn keystrokes_split_compound_vowels_and_finals() {
        assert_eq!(keystrokes("아이폰"), "ㅇㅏㅇㅣㅍㅗㄴ");
        assert_eq!(keystrokes("값"), "ㄱㅏㅂㅅ");
        assert_eq!(keystrokes("과자"), "ㄱㅗㅏㅈㅏ");
        assert_eq!(keystrokes("닭"), "ㄷㅏㄹㄱ");
        assert_eq!(keystrokes("의자"), "ㅇㅡㅣㅈㅏ");
        assert_eq!(keystrokes("쌀"), "ㅆㅏㄹ", "a double consonant is one (shifted) key");
        assert_eq!(keystrokes("ㄳ"), "ㄱㅅ");
        assert_eq!(keystrokes("ps5 폰"), "ps5 ㅍㅗㄴ");
    }

    #[test]
    fn choseong_takes_initials_and_keeps_typed_consonants() {
        assert_eq!(choseong("아이폰"), "ㅇㅇㅍ");
        assert_eq!(choseong("자전거"), "ㅈㅈㄱ");
        assert_eq!(choseong("까치"), "ㄲㅊ");
        assert_eq!(choseong("아이ㅍ"), "ㅇㅇㅍ");
        assert_eq!(choseong("iphone 15"), "");
    }

    #[test]
    fn choseong_queries_are_consonants_only() {
        assert!(is_choseong("ㅇㅇㅍ"));
        assert!(is_choseong("ㄲ"));
        assert!(!is_choseong("ㅇㅏ"), "a vowel is not an initial");
        assert!(!is_choseong("아ㅇ"));
        assert!(!is_choseong(""));
    }

    #[test]
    fn conjoining_jamo_compose() {
        // "아이폰" in NFD: ᄋ ᅡ ᄋ ᅵ ᄑ ᅩ ᆫ.
        let nfd = "\u{110B}\u{1161}\u{110B}\u{1175}\u{1111}\u{1169}\u{11AB}";
        assert_eq!(compose(nfd), "아이폰");
        assert_eq!(compose("\u{1100}"), "ㄱ", "a lone initial becomes the compatibility jamo");
        assert_eq!(compose("포\u{11AB}"), "폰", "LV + T");
        assert_eq!(compose("abc 아이폰"), "abc 아이폰");
    }

    #[test]
    fn hangul_classes() {
        assert!(is_hangul('가') && is_hangul('ㅇ') && is_hangul('\u{1100}'));
        assert!(!is_hangul('a') && !is_hangul('漢'));
        assert!(is_consonant('ㅎ') && !is_consonant('ㅏ'));
        assert_eq!(initial_of('힣'), Some('ㅎ'));
        assert_eq!(initial_of('x'), None);
    }
}
