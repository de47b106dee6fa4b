//! Brand names and terms that Korean sellers write in Hangul or in Latin letters, and common
//! short forms (플스, 갤탭). Applied at query time only, so the table can grow without
//! re-indexing: a query word that is in a group matches any of the group's forms.

/// Groups of forms that mean the same thing, normalised (lower case). A form of several words
/// ("갤럭시 탭") matches when all its words do.
const GROUPS: &[&[&str]] = &[
    &["아이폰", "iphone", "아이뽕"],
    &["아이패드", "ipad"],
    &["아이맥", "imac"],
    &["맥북", "macbook"],
    &["맥미니", "mac mini", "맥 미니"],
    &["에어팟", "airpods", "airpod", "에어팟츠"],
    &["애플워치", "apple watch", "애플 워치"],
    &["애플", "apple"],
    &["갤럭시", "galaxy"],
    &["갤탭", "갤럭시 탭", "galaxy tab"],
    &["갤워치", "갤럭시 워치", "galaxy watch"],
    &["갤버즈", "갤럭시 버즈", "galaxy buds"],
    &["삼성", "samsung"],
    &["엘지", "lg"],
    &["그램", "gram"],
    &["소니", "sony"],
    &["닌텐도", "nintendo"],
    &["스위치", "switch"],
    &["닌스", "닌텐도 스위치", "nintendo switch"],
    &["플스", "플레이스테이션", "playstation", "ps"],
    &["엑스박스", "xbox"],
    &["자전거", "bike", "bicycle", "바이시클"],
    &["다이슨", "dyson"],
    &["레고", "lego"],
    &["나이키", "nike"],
    &["아디다스", "adidas"],
    &["뉴발란스", "new balance", "뉴발"],
    &["캐논", "canon"],
    &["니콘", "nikon"],
    &["후지필름", "fujifilm", "후지"],
    &["고프로", "gopro"],
    &["샤넬", "chanel"],
    &["구찌", "gucci"],
    &["스타벅스", "starbucks", "스벅"],
    &["노트북", "laptop", "notebook"],
    &["키보드", "keyboard"],
    &["의자", "체어", "chair"],
    &["스노우보드", "스노보드", "snowboard"],
    &["산악자전거", "mtb"],
    &["소형냉장고", "미니냉장고"],
    &["마우스", "mouse"],
    &["모니터", "monitor"],
    &["카메라", "camera"],
    &["캠핑", "camping"],
    &["골프", "golf"],
    &["에어프라이어", "air fryer", "airfryer"],
    &["프로", "pro"],
    &["맥스", "max"],
    &["미니", "mini"],
    &["울트라", "ultra"],
    &["플러스", "plus"],
    &["에어", "air"],
    &["워치", "watch"],
    &["버즈", "buds"],
    &["탭", "tab"],
    &["패드", "pad"],
];

/// The forms that `word` (normalised) stands for, itself first; just itself when it is in no
/// group.
pub fn forms(word: &str) -> Vec<&str> {
    match GROUPS.iter().find(|group| group.contains(&word)) {
        Some(group) => {
            let mut forms = vec![word];
            forms.extend(group.iter().copied().filter(|form| *form != word));
            forms
        }
        None => vec![word],
    }
}

/// Whether `word` is in a group.
pub fn is_known(word: &str) -> bool {
    GROUPS.iter().any(|group| group.contains(&word))
}

/// The fewest keystrokes a word needs before a misspelt form finds its group.
const TYPO_MIN_KEYSTROKES: usize = 5;

/// The form that `word`, unknown itself, misspells by one keystroke (a wrong, missing, extra or
/// swapped key, compared as keystrokes): "playstaton" → playstation, "겔럭시" → 갤럭시. Only for
/// words of 5+ keystrokes, and only when a single form is that close.
pub fn misspelt(word: &str) -> Option<&'static str> {
    let keys: Vec<char> = crate::hangul::keystrokes(word).chars().collect();
    if keys.len() < TYPO_MIN_KEYSTROKES || is_known(word) {
        return None;
    }
    let mut close =
        GROUPS.iter().flat_map(|group| group.iter().copied()).filter(|form| !form.contains(' ')).filter(
            |form| within_one_edit(&keys, &crate::hangul::keystrokes(form).chars().collect::<Vec<_>>()),
        );
    let first = close.next()?;
    close.next().is_none().then_some(first)
}

/// Damerau–Levenshtein distance at most 1 (adjacent transposition included).
fn within_one_edit(a: &[char], b: &[char]) -> bool {
    if a == b {
        return true;
    }
    match a.len().abs_diff(b.len()) {
        0 => {
            let differ: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            match differ.as_slice() {
                [_] => true,
                [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
                _ => false,
            }
        }
        1 => {
            let (long, short) = if a.len() > b.len() { (a, b) } else { (b, a) };
            let skip = (0..short.len()).find(|&i| long[i] != short[i]).unwrap_or(short.len());
            long[skip + 1..] == short[skip..]
        }
        _ => false,
    }
}

/// The known single-word Hangul forms, longest first: what a Hangul compound of the query is
/// split by ("중고아이폰" → 중고 + 아이폰).
pub fn hangul_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = GROUPS
        .iter()
        .flat_map(|group| group.iter().copied())
        .filter(|form| !form.contains(' ') && form.chars().all(crate::hangul::is_syllable))
        .collect();
    keys.sort_by_key(|key| std::cmp::Reverse(key.chars().count()));
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_stands_for_its_group() {
        assert_eq!(forms("아이폰"), vec!["아이폰", "iphone", "아이뽕"]);
        assert_eq!(forms("iphone")[0], "iphone");
        assert!(forms("iphone").contains(&"아이폰"));
        assert!(forms("ps").contains(&"플스"));
        assert!(forms("플스").contains(&"플레이스테이션"));
        assert!(forms("bike").contains(&"자전거"));
        assert_eq!(forms("책상"), vec!["책상"]);
    }

    #[test]
    fn every_form_is_normalised_and_in_one_group() {
        for group in GROUPS {
            for form in *group {
                assert_eq!(crate::normalize_query(form), *form, "{form} is normalised");
                let holding = GROUPS.iter().filter(|g| g.contains(form)).count();
                assert_eq!(holding, 1, "{form} is in one group");
            }
        }
    }

    #[test]
    fn a_misspelt_form_finds_its_group() {
        assert_eq!(misspelt("playstaton"), Some("playstation"));
        assert_eq!(misspelt("keybaord"), Some("keyboard"), "swapped keys");
        assert_eq!(misspelt("dysen"), Some("dyson"));
        assert_eq!(misspelt("겔럭시"), Some("갤럭시"));
        assert_eq!(misspelt("iphone"), None, "a known form is no misspelling");
        assert_eq!(misspelt("ipon"), None, "too short to guess");
        assert_eq!(misspelt("냉장고"), None);
        assert!(within_one_edit(&['a', 'b'], &['a', 'b', 'c']));
        assert!(!within_one_edit(&['a', 'b', 'c'], &['c', 'b', 'a']));
    }

    #[test]
    fn hangul_keys_are_single_words_longest_first() {
        let keys = hangul_keys();
        assert!(keys.contains(&"아이폰") && keys.contains(&"프로"));
        assert!(!keys.iter().any(|key| key.contains(' ') || key.is_ascii()));
        assert!(keys.windows(2).all(|pair| pair[0].chars().count() >= pair[1].chars().count()));
        assert!(is_known("갤럭시") && !is_known("책상"));
    }
}
