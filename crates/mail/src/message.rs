//! A [`Mail`] as a lettre message, the same for both adapters.

use lettre::{
    Message,
    message::{Mailbox, header::ContentType},
};

use crate::{Mail, MailError};

pub(crate) fn mailbox(address: &str) -> Result<Mailbox, MailError> {
    address.parse().map_err(|_| MailError::Address(address.to_owned()))
}

/// lettre encodes the text as it fits: 7-bit when it is short ASCII lines, else quoted-printable
/// or base64 (UTF-8 lines over 76 bytes, which Hangul reaches quickly), so any server takes it.
pub(crate) fn message(from: &Mailbox, mail: Mail) -> Result<Message, MailError> {
    Message::builder()
        .from(from.clone())
        .to(mailbox(&mail.to)?)
        .subject(mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.text)
        .map_err(|error| MailError::Build(error.to_string()))
}
