//! Moderation (승인/반려): whether a listing goes on sale at once or waits for an admin.
//!
//! The rules are pure and configured: a listing is approved automatically when its text holds
//! none of the banned words and, if the marketplace asks for it, its seller has a verified phone
//! number. Otherwise it waits in the review queue with the reasons. The application screens a
//! listing when it is published and hands the verdict to the listing's decider.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Why a listing waits for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// Its title or description holds a banned word.
    BannedWords,
    /// The marketplace approves automatically only for sellers with a verified phone.
    PhoneNotVerified,
    /// A photo of it (the same bytes) is on another seller's listing: the mark of a listing
    /// copied from someone else's.
    ReusedPhoto,
}

impl ReviewReason {
    /// The name it is serialised under.
    pub fn name(self) -> &'static str {
        match self {
            ReviewReason::BannedWords => "banned_words",
            ReviewReason::PhoneNotVerified => "phone_not_verified",
            ReviewReason::ReusedPhoto => "reused_photo",
        }
    }
}

/// The verdict of the automatic rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screening {
    Approved,
    NeedsReview(Vec<ReviewReason>),
}

/// What the rules look at in a listing being published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Submission<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// Whether the seller's phone number is verified.
    pub phone_verified: bool,
    /// Whether a photo of the listing is on another seller's listing.
    pub photo_reused: bool,
}

impl<'a> Submission<'a> {
    /// A listing of a seller with a verified phone and photos of their own.
    pub fn text(title: &'a str, description: &'a str) -> Self {
        Self { title, description, phone_verified: true, photo_reused: false }
    }
}

/// The automatic-approval rules.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModerationPolicy {
    /// Words (or phrases) that send a listing to review, in any case, width or spacing.
    banned_words: Vec<String>,
    /// Approve automatically only for sellers whose phone number is verified.
    pub require_verified_phone: bool,
}

/// The form text is compared in: NFKC, lower case, without white space, so that `짝 퉁`,
/// `ＲＥＰＬＩＣＡ` and `replica` are one word.
fn folded(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect()
}

impl ModerationPolicy {
    pub fn new(
        banned_words: impl IntoIterator<Item = impl AsRef<str>>,
        require_verified_phone: bool,
    ) -> Self {
        let mut banned_words: Vec<String> = banned_words
            .into_iter()
            .map(|word| folded(word.as_ref()))
            .filter(|word| !word.is_empty())
            .collect();
        banned_words.sort();
        banned_words.dedup();
        Self { banned_words, require_verified_phone }
    }

    /// The banned words `texts` hold, in their folded form.
    pub fn banned_words_in<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Vec<&str> {
        let haystack: String = texts.into_iter().map(folded).collect::<Vec<_>>().join("\u{1f}");
        self.banned_words.iter().filter(|word| haystack.contains(word.as_str())).map(String::as_str).collect()
    }

    /// Screens a listing being published.
    pub fn screen(&self, submission: &Submission<'_>) -> Screening {
        let mut reasons = Vec::new();
        if !self.banned_words_in([submission.title, submission.description]).is_empty() {
            reasons.push(ReviewReason::BannedWords);
        }
        if self.require_verified_phone && !submission.phone_verified {
            reasons.push(ReviewReason::PhoneNotVerified);
        }
        if submission.photo_reused {
            reasons.push(ReviewReason::ReusedPhoto);
        }
        if reasons.is_empty() { Screening::Approved } else { Screening::NeedsReview(reasons) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banned_words_are_found_whatever_the_spacing_case_or_width() {
        let policy = ModerationPolicy::new(["짝퉁", "Replica", " "], false);
        let unverified =
            |title, description| Submission { phone_verified: false, ..Submission::text(title, description) };
        assert_eq!(policy.screen(&unverified("나이키 운동화", "정품입니다")), Screening::Approved);
        for title in ["나이키 짝 퉁", "ＲＥＰＬＩＣＡ 시계", "replica"] {
            assert_eq!(
                policy.screen(&Submission::text(title, "")),
                Screening::NeedsReview(vec![ReviewReason::BannedWords]),
                "{title}"
            );
        }
        assert_eq!(
            policy.screen(&Submission::text("시계", "레플 아님, REPLICA 아님")),
            Screening::NeedsReview(vec![ReviewReason::BannedWords]),
            "the description counts too"
        );
    }

    #[test]
    fn a_verified_phone_is_asked_for_only_when_configured() {
        let strict = ModerationPolicy::new(Vec::<String>::new(), true);
        let unverified = Submission { phone_verified: false, ..Submission::text("의자", "") };
        assert_eq!(strict.screen(&unverified), Screening::NeedsReview(vec![ReviewReason::PhoneNotVerified]));
        assert_eq!(strict.screen(&Submission::text("의자", "")), Screening::Approved);
        assert_eq!(ModerationPolicy::default().screen(&unverified), Screening::Approved);
    }

    #[test]
    fn a_photo_on_another_sellers_listing_sends_it_to_review() {
        let copied = Submission { photo_reused: true, ..Submission::text("아이폰 15", "") };
        assert_eq!(
            ModerationPolicy::default().screen(&copied),
            Screening::NeedsReview(vec![ReviewReason::ReusedPhoto])
        );
        assert_eq!(ReviewReason::ReusedPhoto.name(), "reused_photo");
        assert_eq!(serde_json::to_value(ReviewReason::ReusedPhoto).ok(), Some("reused_photo".into()));
    }
}
