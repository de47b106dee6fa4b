//! The language of an answer: Korean unless the request's `Accept-Language` prefers English.
//!
//! Jangteo speaks two languages, so content negotiation is a choice between them: the first of
//! `ko` and `en` by the header's quality values (a language range such as `en-US` counts as its
//! primary tag, `*` as Korean), Korean when the header names neither or cannot be read.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header::ACCEPT_LANGUAGE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    Korean,
    English,
}

impl Language {
    /// The language `Accept-Language: header` asks for.
    pub fn negotiate(header: Option<&str>) -> Self {
        let Some(header) = header else { return Self::default() };
        let mut best: Option<(Language, u16)> = None;
        // Header values are short; bound the work on a hostile one all the same.
        for range in header.split(',').take(32) {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let quality = parts
                .find_map(|parameter| parameter.trim().strip_prefix("q="))
                .map_or(Some(1000), quality_in_thousandths);
            let Some(quality) = quality.filter(|quality| *quality > 0) else { continue };
            let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
            let language = match primary.as_str() {
                "ko" | "*" => Language::Korean,
                "en" => Language::English,
                _ => continue,
            };
            if best.is_none_or(|(_, best_quality)| quality > best_quality) {
                best = Some((language, quality));
            }
        }
        best.map_or_else(Self::default, |(language, _)| language)
    }

    /// The `Content-Language` of an answer in this language.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Korean => "ko",
            Language::English => "en",
        }
    }
}

/// `q=0.8` as 800; `None` for what is not a quality value.
fn quality_in_thousandths(raw: &str) -> Option<u16> {
    let value: f32 = raw.trim().parse().ok()?;
    if !(0.0..=1.0).contains(&value) {
        return None;
    }
    // In range 0..=1000 after the check above.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "bounded by the check")]
    Some((value * 1000.0).round() as u16)
}

impl FromRequest for Language {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(of_request(request)))
    }
}

/// The language `request` asks for.
pub fn of_request(request: &HttpRequest) -> Language {
    Language::negotiate(request.headers().get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()))
}

#[cfg(test)]
mod tests {
    use super::Language::{English, Korean};
    use super::*;

    #[test]
    fn the_preferred_of_korean_and_english_wins_and_korean_is_the_default() {
        for (header, expected) in [
            (None, Korean),
            (Some(""), Korean),
            (Some("en"), English),
            (Some("en-US,en;q=0.9"), English),
            (Some("ko-KR,ko;q=0.9,en-US;q=0.8"), Korean),
            (Some("en;q=0.5, ko;q=0.4"), English),
            (Some("fr-FR, en;q=0.3"), English),
            (Some("fr, de"), Korean),
            (Some("en;q=0, ko;q=0.1"), Korean),
            (Some("en;q=abc"), Korean),
            (Some("*"), Korean),
            (Some("EN-gb"), English),
        ] {
            assert_eq!(Language::negotiate(header), expected, "{header:?}");
        }
    }
}
