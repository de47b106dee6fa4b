//! What a query asks for, as a tree an index adapter turns into its own query language.
//!
//! Every word of the query must match ([`Match::All`]). A word matches in one of several ways
//! ([`Match::Any`]): as written, as any form of its synonym group ("iphone" for "아이폰"), split
//! into known words ("중고아이폰" → 중고 + 아이폰), without a trailing particle ("아이폰을"), or,
//! when it is all initial consonants, through the 초성 field. A [`Term`] leaf matches when all
//! its grams are in the text field, or (for a word of 4+ keystrokes) when its keystrokes are
//! within one edit of a keystroke gram: one mistyped, missing or extra key.

use crate::{
    hangul,
    synonyms::{self, forms},
    terms::bigrams,
    words::{Part, Script, words},
};

/// The fewest keystrokes a word needs before a typo is tolerated: below it, one edit turns a
/// word into too many others.
pub const FUZZY_MIN_KEYSTROKES: usize = 4;

/// Particles (조사) that may trail a query word of three syllables or more: "아이폰을" asks
/// for 아이폰.
const PARTICLES: [&str; 16] =
    ["을", "를", "은", "는", "이", "가", "의", "에", "도", "로", "와", "과", "에서", "으로", "까지", "부터"];

/// The query tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// Every branch matches.
    All(Vec<Match>),
    /// At least one branch matches.
    Any(Vec<Match>),
    /// One word of the text.
    Term(Term),
    /// Initial consonants: a prefix of some word's 초성 (the 초성 field's edge n-grams).
    Choseong(String),
}

/// One word as the text field knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The word, normalised: an exact match of it is worth more than its grams.
    pub word: String,
    /// The text-field terms that must all be present: the word's syllable bigrams (its unigram
    /// when it has one syllable), or the word itself when it is not Hangul.
    pub grams: Vec<String>,
    /// The word as keystrokes, when it is long enough for a one-edit fuzzy match.
    pub fuzzy: Option<String>,
}

impl Term {
    pub fn new(word: &str, script: Script) -> Self {
        let grams = match script {
            Script::Hangul => bigrams(word),
            Script::Latin | Script::Digit | Script::Other => vec![word.to_owned()],
        };
        let keys = hangul::keystrokes(word);
        let fuzzy = (matches!(script, Script::Hangul | Script::Latin)
            && keys.chars().count() >= FUZZY_MIN_KEYSTROKES)
            .then_some(keys);
        Term { word: word.to_owned(), grams, fuzzy }
    }
}

impl Match {
    /// Every leaf of the tree, for adapters that want to list terms (highlighting, tests).
    pub fn terms(&self) -> Vec<&Term> {
        match self {
            Match::All(branches) | Match::Any(branches) => branches.iter().flat_map(Match::terms).collect(),
            Match::Term(term) => vec![term],
            Match::Choseong(_) => Vec::new(),
        }
    }

    /// One branch stays one branch: `All([x])` is `x`.
    fn all(mut branches: Vec<Match>) -> Match {
        if branches.len() == 1 { branches.remove(0) } else { Match::All(branches) }
    }

    fn any(mut branches: Vec<Match>) -> Match {
        branches.dedup();
        if branches.len() == 1 { branches.remove(0) } else { Match::Any(branches) }
    }
}

/// The tree of `text`, or `None` when it holds no word.
///
/// Two Hangul words with only a space between them may also match as one word ("에어 팟" finds
/// "에어팟"): Korean spacing is loose both ways, and titles bridge spaces in their bigrams. Two
/// words that together are a synonym form ("galaxy tab") also match as the form's group.
pub fn parse_query(text: &str) -> Option<Match> {
    let branches = join_words(&words(text), part_match, true);
    (!branches.is_empty()).then(|| Match::all(branches))
}

/// The branches of `words`: each part by `each`, a pair of spaced single-part Hangul words
/// also as one word, and (with `phrases`) a known two-word form also as its group.
fn join_words(words: &[crate::Word], each: fn(&Part) -> Match, phrases: bool) -> Vec<Match> {
    let mut branches = Vec::new();
    let mut at = 0;
    while at < words.len() {
        let word = &words[at];
        if let Some(next) = words.get(at + 1) {
            let both = || {
                let mut parts: Vec<Match> = word.parts.iter().map(each).collect();
                parts.extend(next.parts.iter().map(each));
                Match::all(parts)
            };
            let phrase = format!("{} {}", word.text, next.text);
            let known = phrases && synonyms::is_known(&phrase);
            let joined = match (word.parts.as_slice(), next.parts.as_slice()) {
                ([left], [right])
                    if next.spaced_from_previous
                        && left.script == Script::Hangul
                        && right.script == Script::Hangul
                        && !hangul::is_choseong(&left.text)
                        && !hangul::is_choseong(&right.text) =>
                {
                    Some(Part { text: format!("{}{}", left.text, right.text), script: Script::Hangul })
                }
                _ => None,
            };
            if known || joined.is_some() {
                let mut ways = vec![both()];
                ways.extend(joined.as_ref().map(each));
                if known {
                    ways.extend(forms(&phrase).into_iter().skip(1).map(form_match));
                }
                branches.push(Match::any(ways));
                at += 2;
                continue;
            }
        }
        branches.extend(word.parts.iter().map(each));
        at += 1;
    }
    branches
}

/// How one part of a query word matches.
fn part_match(part: &Part) -> Match {
    if part.script == Script::Hangul && hangul::is_choseong(&part.text) {
        return Match::Choseong(part.text.clone());
    }
    let mut ways = synonym_ways(&part.text, part.script);
    if part.script == Script::Hangul {
        if let Some(split) = split_by_known_words(&part.text) {
            ways.push(split);
        }
        if let Some(stem) = without_particle(&part.text) {
            ways.extend(synonym_ways(stem, Script::Hangul));
            if let Some(split) = split_by_known_words(stem) {
                ways.push(split);
            }
        }
    }
    Match::any(ways)
}

/// The word itself and every form of its synonym group; for a word in no group that misspells
/// a form by one keystroke, that form's group too ("playstaton" → 플레이스테이션).
fn synonym_ways(word: &str, script: Script) -> Vec<Match> {
    let mut ways = vec![Match::Term(Term::new(word, script))];
    let group = if synonyms::is_known(word) { Some(word) } else { synonyms::misspelt(word) };
    if let Some(known) = group {
        ways.extend(forms(known).into_iter().filter(|form| *form != word).map(form_match));
    }
    ways
}

fn term_of(part: &Part) -> Match {
    Match::Term(Term::new(&part.text, part.script))
}

/// A synonym form: one word, or several that must all match ("갤럭시 탭"), spaced Hangul words
/// also joined ("갤럭시탭"). Forms are not expanded again.
fn form_match(form: &str) -> Match {
    Match::all(join_words(&words(form), term_of, false))
}

/// A Hangul word cut into the synonym table's known words and what lies between them, when it
/// holds a known word and is not one itself: "중고아이폰" → 중고 + (아이폰 | iphone | …).
fn split_by_known_words(word: &str) -> Option<Match> {
    if synonyms::is_known(word) {
        return None;
    }
    let keys = synonyms::hangul_keys();
    let chars: Vec<char> = word.chars().collect();
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut at = 0;
    let mut unknown = String::new();
    while at < chars.len() {
        let rest: String = chars[at..].iter().collect();
        if let Some(key) = keys.iter().find(|key| rest.starts_with(**key)) {
            if !unknown.is_empty() {
                pieces.push((std::mem::take(&mut unknown), false));
            }
            pieces.push(((*key).to_owned(), true));
            at += key.chars().count();
        } else {
            unknown.push(chars[at]);
            at += 1;
        }
    }
    if !unknown.is_empty() {
        pieces.push((unknown, false));
    }
    if !pieces.iter().any(|(_, known)| *known) || pieces.len() < 2 {
        return None;
    }
    let branches = pieces
        .into_iter()
        .map(|(piece, known)| {
            if known {
                Match::any(synonym_ways(&piece, Script::Hangul))
            } else {
                Match::Term(Term::new(&piece, Script::Hangul))
            }
        })
        .collect();
    Some(Match::All(branches))
}

/// The word without a trailing particle, when it has three syllables or more and ends in one.
fn without_particle(word: &str) -> Option<&str> {
    if word.chars().count() < 3 || synonyms::is_known(word) {
        return None;
    }
    PARTICLES.iter().filter_map(|particle| word.strip_suffix(particle)).find(|stem| stem.chars().count() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(word: &str) -> Match {
        let script = words(word)[0].parts[0].script;
        Match::Term(Term::new(word, script))
    }

    /// Whether any leaf of the tree is the word.
    fn mentions(tree: &Match, word: &str) -> bool {
        tree.terms().iter().any(|term| term.word == word)
    }

    #[test]
    fn a_plain_word_is_its_bigrams() {
        let tree = parse_query("자전거");
        let Some(Match::Any(ways)) = &tree else { panic!("{tree:?}") };
        assert_eq!(
            ways[0],
            Match::Term(Term {
                word: "자전거".into(),
                grams: vec!["자전".into(), "전거".into()],
                fuzzy: Some("ㅈㅏㅈㅓㄴㄱㅓ".into()),
            })
        );
        assert!(tree.as_ref().is_some_and(|tree| mentions(tree, "bike")));
        assert_eq!(parse_query("책상"), Some(term("책상")));
    }

    #[test]
    fn every_word_and_script_part_is_required() {
        let Some(Match::All(words)) = parse_query("아이폰15프로맥스 팝니다") else { panic!() };
        assert_eq!(words.len(), 4, "아이폰 / 15 / 프로맥스 / 팝니다");
        assert_eq!(words[1], Match::Term(Term { word: "15".into(), grams: vec!["15".into()], fuzzy: None }));
        // 프로맥스 is split by the known words 프로 and 맥스, so "pro max" matches too.
        assert!(mentions(&words[2], "pro") && mentions(&words[2], "max"), "{:?}", words[2]);
    }

    #[test]
    fn brands_match_either_script() {
        let tree = parse_query("iphone").unwrap_or(Match::All(Vec::new()));
        assert!(mentions(&tree, "아이폰"));
        let tree = parse_query("플스5").unwrap_or(Match::All(Vec::new()));
        assert!(mentions(&tree, "ps") && mentions(&tree, "플레이스테이션") && mentions(&tree, "5"));
        let tree = parse_query("갤탭").unwrap_or(Match::All(Vec::new()));
        assert!(mentions(&tree, "갤럭시") && mentions(&tree, "탭") && mentions(&tree, "galaxy"));
    }

    #[test]
    fn compounds_are_split_by_known_words() {
        let tree = parse_query("중고아이폰").unwrap_or(Match::All(Vec::new()));
        assert!(mentions(&tree, "중고아이폰") && mentions(&tree, "중고") && mentions(&tree, "iphone"));
        assert_eq!(split_by_known_words("책상"), None);
        assert_eq!(split_by_known_words("아이폰"), None, "a known word stays whole");
    }

    #[test]
    fn a_trailing_particle_is_optional() {
        let tree = parse_query("아이폰을").unwrap_or(Match::All(Vec::new()));
        assert!(mentions(&tree, "아이폰을") && mentions(&tree, "아이폰") && mentions(&tree, "iphone"));
        assert_eq!(without_particle("자전거를"), Some("자전거"));
        assert_eq!(without_particle("의자"), None, "two syllables keep their last");
        assert_eq!(without_particle("갤럭시"), None, "a known word is no stem and particle");
    }

    #[test]
    fn initials_only_ask_the_choseong_field() {
        assert_eq!(parse_query("ㅇㅇㅍ"), Some(Match::Choseong("ㅇㅇㅍ".into())));
        assert_eq!(
            parse_query("ㅇㅇㅍ 케이스")
                .map(|tree| matches!(tree, Match::All(ref b) if b[0] == Match::Choseong("ㅇㅇㅍ".into()))),
            Some(true)
        );
    }

    #[test]
    fn only_words_long_enough_are_fuzzy() {
        assert_eq!(Term::new("폰", Script::Hangul).fuzzy, None, "ㅍㅗㄴ is three keystrokes");
        assert_eq!(Term::new("가방", Script::Hangul).fuzzy.as_deref(), Some("ㄱㅏㅂㅏㅇ"));
        assert_eq!(Term::new("ipad", Script::Latin).fuzzy.as_deref(), Some("ipad"));
        assert_eq!(Term::new("1234", Script::Digit).fuzzy, None, "model numbers are exact");
        assert_eq!(Term::new("폰", Script::Hangul).grams, vec!["폰"]);
    }

    #[test]
    fn spaced_hangul_words_may_match_joined() {
        let tree = parse_query("에어 팟").unwrap_or(Match::All(Vec::new()));
        let Match::Any(ways) = &tree else { panic!("{tree:?}") };
        assert!(matches!(&ways[0], Match::All(both) if both.len() == 2));
        assert!(mentions(&ways[1], "에어팟") && mentions(&ways[1], "airpods"));
        // Not across a script change or 초성.
        assert!(matches!(parse_query("플스 5"), Some(Match::All(_))));
        assert!(matches!(parse_query("ㄱㅇㅁ ㅇㅈ"), Some(Match::All(ref b)) if b.len() == 2));
    }

    #[test]
    fn two_words_of_a_form_match_its_group() {
        let tree = parse_query("galaxy tab").unwrap_or(Match::All(Vec::new()));
        assert!(mentions(&tree, "갤탭") && mentions(&tree, "갤럭시탭"), "{tree:?}");
        let tree = parse_query("갤탭").unwrap_or(Match::All(Vec::new()));
        assert!(mentions(&tree, "갤럭시탭"), "a spaced form is also tried joined");
        let tree = parse_query("갤럭시 탭").unwrap_or(Match::All(Vec::new()));
        assert!(mentions(&tree, "갤럭시탭") && mentions(&tree, "galaxy"), "joined, and the phrase's group");
    }

    #[test]
    fn a_misspelt_brand_reaches_its_group() {
        let tree = parse_query("playstaton").unwrap_or(Match::All(Vec::new()));
        assert!(mentions(&tree, "플레이스테이션") && mentions(&tree, "플스"), "{tree:?}");
    }

    #[test]
    fn nothing_to_search() {
        assert_eq!(parse_query(""), None);
        assert_eq!(parse_query(" !? "), None);
    }
}
