//! Mail over SMTP (lettre's pooled async transport on tokio, TLS by rustls).

use async_trait::async_trait;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, message::Mailbox};

use crate::{Mail, MailError, Mailer, message};

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The URL without its credentials, for the log.
    server: String,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").field("server", &self.server).finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for the server `url` names (`smtp://[user:password@]host[:port][?tls=required]`
    /// or `smtps://…`), sending as `from`. Connects lazily, at the first mail. Call it within a
    /// tokio runtime: the connection pool runs a task of its own.
    pub fn new(url: &str, from: &str) -> Result<Self, MailError> {
        let from = message::mailbox(from)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| MailError::Url(error.to_string()))?
            .build();
        let server = match url.split_once('@') {
            Some((scheme_and_credentials, host)) => {
                let scheme = scheme_and_credentials.split("://").next().unwrap_or("smtp");
                format!("{scheme}://{host}")
            }
            None => url.to_owned(),
        };
        Ok(Self { transport, from, server })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let message = message::message(&self.from, mail)?;
        self.transport.send(message).await.map_err(|error| MailError::Transport(Box::new(error)))?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("SMTP at {}", self.server)
    }
}
