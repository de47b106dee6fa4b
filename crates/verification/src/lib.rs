//! Verifying who a member is, behind two ports:
//! * [`SmsSender`]: a text message to a phone (the code of phone verification). Adapters:
//!   [`sms::SimulatedSmsSender`], the embedded profile's, which sends nothing and writes each
//!   message to a file in the outbox (`JANGTEO_DATA_DIR/outbox/sms/`), and, behind the feature
//!   `sens`, [`sens::SensSmsSender`] for NAVER Cloud Platform's SENS SMS API v2;
//! * [`IdentityVerifier`]: 본인인증 by a certified agency (NICE, KCB) of a person's name, birth
//!   date and phone. Only [`identity::SimulatedIdentityVerifier`] exists so far, and it is named
//!   so: it checks nothing with anyone.
//!
//! A message may carry a code, so no adapter logs its text.

use async_trait::async_trait;

pub mod identity;
#[cfg(feature = "sens")]
pub mod sens;
pub mod sms;

pub use identity::{IdentityCheck, IdentityVerdict, IdentityVerifier};

/// A text message to one phone number (`010-1234-5678`).
#[derive(Clone, PartialEq, Eq)]
pub struct TextMessage {
    pub to: String,
    pub text: String,
}

impl std::fmt::Debug for TextMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextMessage(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerificationError {
    /// The provider refused the message (its code and words).
    #[error("the SMS provider refused the message: {0}")]
    Refused(String),
    /// The provider could not be reached or did not answer.
    #[error("the SMS provider is unavailable: {0}")]
    Unavailable(String),
    /// Writing the simulated message failed.
    #[error("the simulated message could not be written: {0}")]
    Io(#[from] std::io::Error),
}

/// Sends text messages. `send` returns once the provider took the message.
#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    async fn send(&self, message: TextMessage) -> Result<(), VerificationError>;

    /// What the adapter is, for the start-up log.
    fn describe(&self) -> String;
}
