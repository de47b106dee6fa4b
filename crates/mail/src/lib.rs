//! The Mailer port: how Jangteo sends a member mail (a password-reset link, for one), and its
//! adapters behind the `lettre` feature:
//! * [`smtp::SmtpMailer`] speaks SMTP to the server `JANGTEO_SMTP_URL` names (`smtp://` plain or
//!   with `?tls=required` for STARTTLS, `smtps://` for TLS from the first byte);
//! * [`outbox::OutboxMailer`], the embedded profile's, writes each mail as an `.eml` file under
//!   `JANGTEO_DATA_DIR/outbox/`, where a newcomer opens it (any mail program reads `.eml`).
//!
//! A mail's text may carry a secret (a reset token), so neither adapter logs it.

use async_trait::async_trait;

#[cfg(feature = "lettre")]
mod message;
#[cfg(feature = "lettre")]
pub mod outbox;
#[cfg(feature = "lettre")]
pub mod smtp;

/// One plain-text mail to one address.
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the address nor the text: both are personal, the text may hold a token.
        f.debug_struct("Mail").field("subject", &self.subject).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The sender or the recipient is not a mail address.
    #[error("not a mail address: {0}")]
    Address(String),
    /// The mail could not be put together (a header that cannot be encoded).
    #[error("the mail cannot be built: {0}")]
    Build(String),
    /// `JANGTEO_SMTP_URL` is not an SMTP URL lettre understands.
    #[error("the SMTP URL is not usable: {0}")]
    Url(String),
    /// The server refused the mail, or could not be reached, or the file could not be written.
    #[error("the mail was not sent: {0}")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Sends mail. `send` returns once the mail is handed on (the SMTP server accepted it, or the
/// file is written); delivery from there is the mail system's.
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, mail: Mail) -> Result<(), MailError>;

    /// What the adapter is, for the start-up log.
    fn describe(&self) -> String;
}
