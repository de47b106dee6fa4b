//! Validated value objects. Each has a `parse` constructor; a value that exists is valid.

use serde::{Deserialize, Serialize};

use crate::{
    Money, ValidationError,
    text::{self, Lines},
};

/// Defines a string newtype validated by `$check`, (de)serialized as a plain string.
macro_rules! text_value {
    ($(#[$meta:meta])* $name:ident, $check:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ValidationError> {
                let check: fn(&str) -> Result<String, ValidationError> = $check;
                check(raw).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// Cleans one line of text (see [`text`]) and checks its length in characters (not bytes:
/// Hangul is 3 bytes in UTF-8).
fn trimmed_len(
    raw: &str,
    field: &'static str,
    min: usize,
    max: usize,
    reason: &'static str,
) -> Result<String, ValidationError> {
    let cleaned = text::clean(raw, Lines::One).ok_or_else(|| control_characters(field))?;
    let count = cleaned.chars().count();
    if count < min || count > max {
        return Err(ValidationError::new(field, reason));
    }
    Ok(cleaned)
}

/// Cleans text that may span lines and checks it holds 1 to `max` characters.
fn many_lines_len(
    raw: &str,
    field: &'static str,
    max: usize,
    reason: &'static str,
) -> Result<String, ValidationError> {
    let cleaned = text::clean(raw, Lines::Many).ok_or_else(|| control_characters(field))?;
    let count = cleaned.chars().count();
    if count == 0 || count > max {
        return Err(ValidationError::new(field, reason));
    }
    Ok(cleaned)
}

fn control_characters(field: &'static str) -> ValidationError {
    ValidationError::new(field, "must not contain control characters")
}

text_value!(
    /// A listing's title: 1 to 100 characters after trimming.
    Title,
    |raw| trimmed_len(raw, "title", 1, 100, "must be 1-100 characters")
);

text_value!(
    /// Why an admin rejected a listing, for its seller: 1 to 500 characters.
    RejectionReason,
    |raw| trimmed_len(raw, "reason", 1, 500, "must be 1-500 characters")
);

text_value!(
    /// What a reviewer says of the other party of a trade: 1 to 500 characters, lines allowed.
    ReviewComment,
    |raw| many_lines_len(raw, "comment", 500, "must be 1-500 characters")
);

text_value!(
    /// A reviewed member's answer to the review: 1 to 500 characters, lines allowed.
    ReviewReply,
    |raw| many_lines_len(raw, "text", 500, "must be 1-500 characters")
);

text_value!(
    /// A neighbourhood's name (동네), as the geocoder gives it: 1 to 60 characters.
    AreaName,
    |raw| trimmed_len(raw, "neighbourhood", 1, 60, "must be 1-60 characters")
);

text_value!(
    /// A category's name in one language: 1 to 40 characters.
    CategoryName,
    |raw| trimmed_len(raw, "name", 1, 40, "must be 1-40 characters")
);

text_value!(
    /// A listing's description: at most 5,000 characters.
    Description,
    |raw| {
        let cleaned = text::clean(raw, Lines::Many).ok_or_else(|| control_characters("description"))?;
        if cleaned.chars().count() > 5000 {
            return Err(ValidationError::new("description", "must be at most 5,000 characters"));
        }
        Ok(cleaned)
    }
);

text_value!(
    /// A public display name: 2 to 20 characters.
    Nickname,
    |raw| trimmed_len(raw, "nickname", 2, 20, "must be 2-20 characters")
);

text_value!(
    /// An e-mail address in its compared form (NFKC, case-folded), so that uniqueness ignores
    /// case and width.
    Email,
    |raw| {
        let email = text::identity(raw).ok_or_else(|| control_characters("email"))?;
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            })
            && !email.chars().any(char::is_whitespace);
        if valid {
            Ok(email)
        } else {
            Err(ValidationError::new("email", "is not a valid e-mail address"))
        }
    }
);

text_value!(
    /// A Korean mobile number (010 and 8 more digits; the older 011, 016, 017, 018 and 019 with 7
    /// or 8), kept as `010-1234-5678`; spaces, dashes and a leading `+82` are taken.
    PhoneNumber,
    |raw| {
        let digits: String = raw.trim().chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        let national = match digits.strip_prefix("+82") {
            Some(rest) => format!("0{}", rest.strip_prefix('0').unwrap_or(rest)),
            None => digits,
        };
        let valid = if national.starts_with("010") {
            national.len() == 11
        } else {
            ["011", "016", "017", "018", "019"].iter().any(|prefix| national.starts_with(prefix))
                && (national.len() == 10 || national.len() == 11)
        };
        if !(valid && national.chars().all(|c| c.is_ascii_digit())) {
            return Err(ValidationError::new("phone", "must be a Korean mobile number, e.g. 010-1234-5678"));
        }
        let (head, rest) = national.split_at(3);
        let (middle, last) = rest.split_at(rest.len() - 4);
        Ok(format!("{head}-{middle}-{last}"))
    }
);

text_value!(
    /// A postal address for deliveries: 2 to 200 characters on one line.
    PostalAddress,
    |raw| trimmed_len(raw, "address", 2, 200, "must be 2-200 characters")
);

text_value!(
    /// A PHC-format password hash (argon2id). The domain never sees a plain password.
    PasswordHash,
    |raw| {
        if raw.starts_with("$argon2id$") {
            Ok(raw.to_owned())
        } else {
            Err(ValidationError::new("password_hash", "must be an argon2id PHC string"))
        }
    }
);

text_value!(
    /// A personal value (an e-mail, a nickname, a phone number) sealed under its owner's data key:
    /// `v1.` and URL-safe base64. The domain never reads it; the identity layer seals and opens it,
    /// and once the owner's key is destroyed nobody can.
    SealedText,
    |raw| {
        let body = raw.strip_prefix("v1.").unwrap_or_default();
        let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if !body.is_empty() && body.len() <= 4096 && body.chars().all(base64url) {
            Ok(raw.to_owned())
        } else {
            Err(ValidationError::new("sealed", "must be a sealed value (v1. and URL-safe base64)"))
        }
    }
);

text_value!(
    /// A courier's tracking (invoice) number: 8 to 20 ASCII letters or digits.
    TrackingNumber,
    |raw| {
        let number: String = raw.trim().chars().filter(|c| *c != '-').collect();
        if (8..=20).contains(&number.len()) && number.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(number)
        } else {
            Err(ValidationError::new("tracking_number", "must be 8-20 letters or digits"))
        }
    }
);

text_value!(
    /// Why an order was cancelled, as the person said it: 1 to 500 characters.
    CancelReason,
    |raw| trimmed_len(raw, "reason", 1, 500, "must be 1-500 characters")
);

text_value!(
    /// Why a buyer or seller opened a dispute, in their words: 1 to 1,000 characters.
    DisputeReason,
    |raw| trimmed_len(raw, "reason", 1, 1000, "must be 1-1000 characters")
);

text_value!(
    /// A payment gateway's id of one payment (Toss' `paymentKey`, PortOne's `paymentId`):
    /// 1 to 200 visible ASCII characters, opaque to Jangteo.
    PaymentKey,
    |raw| {
        if !raw.is_empty() && raw.len() <= 200 && raw.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(raw.to_owned())
        } else {
            Err(ValidationError::new("payment_key", "must be 1 to 200 visible ASCII characters"))
        }
    }
);

/// Which payment gateway holds a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gateway {
    /// The built-in simulation of the embedded profile.
    Simulated,
    TossPayments,
    /// KG Inicis escrow through PortOne V2.
    #[serde(rename = "portone")]
    PortOne,
}

/// A captured payment: the gateway that holds the money and its key for it (refunds go there).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GatewayPayment {
    pub gateway: Gateway,
    pub payment_key: PaymentKey,
}

/// The couriers Jangteo can track, named by their tracker ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Carrier {
    #[serde(rename = "kr.cjlogistics")]
    CjLogistics,
    #[serde(rename = "kr.lotte")]
    Lotte,
    #[serde(rename = "kr.hanjin")]
    Hanjin,
    #[serde(rename = "kr.epost")]
    Epost,
    #[serde(rename = "kr.logen")]
    Logen,
}

impl Carrier {
    pub const ALL: [Carrier; 5] =
        [Carrier::CjLogistics, Carrier::Lotte, Carrier::Hanjin, Carrier::Epost, Carrier::Logen];

    /// The carrier's tracker id, as in events and the API (`kr.cjlogistics`, …).
    pub fn id(self) -> &'static str {
        match self {
            Carrier::CjLogistics => "kr.cjlogistics",
            Carrier::Lotte => "kr.lotte",
            Carrier::Hanjin => "kr.hanjin",
            Carrier::Epost => "kr.epost",
            Carrier::Logen => "kr.logen",
        }
    }
}

/// Why a buyer asks to send a delivered item back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnReason {
    /// The item differs from its listing (condition, model, missing parts).
    NotAsDescribed,
    /// The item arrived broken.
    Damaged,
    /// The buyer no longer wants it: accepted only where the cooling-off rule applies.
    ChangedMind,
}

/// How a dispute ends, as decided by staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum DisputeResolution {
    /// Everything paid goes back to the buyer.
    RefundBuyer,
    /// Everything paid goes to the seller.
    ReleaseSeller,
    /// `refund` goes back to the buyer and the rest to the seller.
    Split { refund: Money },
}

/// How the buyer paid. The payment gateways arrive later; the method is recorded now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Card,
    BankTransfer,
    KakaoPay,
    NaverPay,
    TossPay,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_counted_in_characters() {
        assert_eq!(Title::parse("  아이폰 15  ").map(|t| t.as_str().to_owned()), Ok("아이폰 15".into()));
        assert!(Title::parse("   ").is_err());
        assert!(Title::parse(&"가".repeat(100)).is_ok());
        assert!(Title::parse(&"가".repeat(101)).is_err());
    }

    #[test]
    fn korean_mobile_numbers_are_kept_in_one_form() {
        for (raw, kept) in [
            ("010-1234-5678", "010-1234-5678"),
            ("01012345678", "010-1234-5678"),
            (" 010 1234 5678 ", "010-1234-5678"),
            ("+82 10-1234-5678", "010-1234-5678"),
            ("+82010-1234-5678", "010-1234-5678"),
            ("011-123-4567", "011-123-4567"),
        ] {
            assert_eq!(PhoneNumber::parse(raw).map(|p| p.as_str().to_owned()), Ok(kept.to_owned()), "{raw}");
        }
        for bad in ["", "02-123-4567", "010-1234-567", "010-1234-56789", "010-abcd-5678", "+1 010 1234 5678"]
        {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse(" Kim@Example.COM ").map(|e| e.as_str().to_owned()),
            Ok("kim@example.com".into())
        );
        for bad in ["", "kim", "kim@", "@example.com", "kim@example", "k im@example.com", "a@b@c.com"] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn tracking_numbers_drop_dashes() {
        assert_eq!(
            TrackingNumber::parse("6306-1234-5678").map(|t| t.as_str().to_owned()),
            Ok("630612345678".into())
        );
        assert!(TrackingNumber::parse("123").is_err());
        assert!(TrackingNumber::parse("1234567890<script>").is_err());
    }

    #[test]
    fn deserialization_validates() {
        assert!(serde_json::from_str::<Nickname>("\"a\"").is_err());
        assert!(serde_json::from_str::<Carrier>("\"kr.cjlogistics\"").is_ok());
        assert!(serde_json::from_str::<Carrier>("\"ups\"").is_err());
    }
}
