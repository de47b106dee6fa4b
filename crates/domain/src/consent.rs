//! A member's consents (개인정보보호법, 전자상거래법 약관 동의): the terms of use and the privacy
//! policy, each agreed to at a published version, and marketing messages, agreed to or not.
//! They are part of the account: each grant and each withdrawal is an account event with the
//! version and the time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// What a member consents to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// The terms of use: required to hold an account.
    Terms,
    /// The privacy policy: required to hold an account.
    Privacy,
    /// Marketing messages: optional, withdrawn at will.
    Marketing,
}

impl ConsentKind {
    /// Its name in the API and the events (`terms`, `privacy`, `marketing`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::Terms => "terms",
            ConsentKind::Privacy => "privacy",
            ConsentKind::Marketing => "marketing",
        }
    }

    /// The request field it is answered in, as validation errors name it.
    pub fn field(self) -> &'static str {
        match self {
            ConsentKind::Terms => "consents.terms",
            ConsentKind::Privacy => "consents.privacy",
            ConsentKind::Marketing => "consents.marketing",
        }
    }

    /// Whether an account cannot go on without it (withdrawing it is closing the account).
    pub fn is_required(self) -> bool {
        matches!(self, ConsentKind::Terms | ConsentKind::Privacy)
    }
}

/// A published version of a policy, as configured: 1 to 32 letters, digits, `.`, `-` or `_`
/// (e.g. `2026-12-01`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConsentVersion(String);

impl ConsentVersion {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
        if (1..=32).contains(&raw.len()) && raw.chars().all(allowed) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::new("version", "must be 1-32 letters, digits, '.', '-' or '_'"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ConsentVersion {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ConsentVersion> for String {
    fn from(value: ConsentVersion) -> String {
        value.0
    }
}

/// One consent as it stands: given (at which version, when) or withdrawn (when).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub granted: bool,
    /// The version agreed to; `None` for marketing and for a withdrawal.
    pub version: Option<ConsentVersion>,
    pub at: DateTime<Utc>,
}

/// The consents given at sign-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpConsents {
    pub terms: ConsentVersion,
    pub privacy: ConsentVersion,
    pub marketing: bool,
    pub at: DateTime<Utc>,
}
