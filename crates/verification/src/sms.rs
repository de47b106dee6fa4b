//! The simulated SMS sender: nothing leaves the machine; each message is a file in a directory
//! (the outbox), so a developer reads the code there.

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use crate::{SmsSender, TextMessage, VerificationError};

/// A simulated sender, named so: it writes `<to>-<id>.txt` files instead of sending.
#[derive(Debug, Clone)]
pub struct SimulatedSmsSender {
    dir: PathBuf,
}

impl SimulatedSmsSender {
    /// An outbox in `dir`, created if missing.
    pub fn open(dir: &Path) -> Result<Self, VerificationError> {
        std::fs::create_dir_all(dir)?;
        Ok(Self { dir: dir.to_path_buf() })
    }
}

#[async_trait]
impl SmsSender for SimulatedSmsSender {
    async fn send(&self, message: TextMessage) -> Result<(), VerificationError> {
        let digits: String = message.to.chars().filter(char::is_ascii_digit).collect();
        let path = self.dir.join(format!("{digits}-{}.txt", uuid::Uuid::now_v7()));
        tokio::fs::write(&path, format!("To: {}\n\n{}\n", message.to, message.text)).await?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("simulated SMS (nothing is sent), written to {}", self.dir.display())
    }
}
