//! The embedded profile's mail: each one an `.eml` file in a directory (the outbox), named by a
//! fresh id, written whole before `send` returns.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use lettre::{AsyncFileTransport, AsyncTransport, Tokio1Executor, message::Mailbox};

use crate::{Mail, MailError, Mailer, message};

pub struct OutboxMailer {
    transport: AsyncFileTransport<Tokio1Executor>,
    from: Mailbox,
    dir: PathBuf,
}

impl std::fmt::Debug for OutboxMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxMailer").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl OutboxMailer {
    /// An outbox in `dir`, created if it is missing, sending as `from`.
    pub fn open(dir: &Path, from: &str) -> Result<Self, MailError> {
        std::fs::create_dir_all(dir).map_err(|error| MailError::Transport(Box::new(error)))?;
        Ok(Self {
            transport: AsyncFileTransport::<Tokio1Executor>::new(dir),
            from: message::mailbox(from)?,
            dir: dir.to_path_buf(),
        })
    }
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let message = message::message(&self.from, mail)?;
        self.transport.send(message).await.map_err(|error| MailError::Transport(Box::new(error)))?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("the outbox, {}", self.dir.display())
    }
}
