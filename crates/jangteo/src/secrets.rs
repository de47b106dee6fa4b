//! The token-signing secret of the embedded profile: generated once, kept in the data dir.

use std::{fmt::Write as _, io::Write, path::Path};

use anyhow::{Context, Result, bail};
use ring::rand::{SecureRandom, SystemRandom};

const FILE_NAME: &str = "jwt-secret";

/// Reads the secret from `data_dir`, creating a random 256-bit one (owner-only file) if missing.
pub fn load_or_create_jwt_secret(data_dir: &Path) -> Result<Vec<u8>> {
    let path = data_dir.join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let secret = text.trim().as_bytes().to_vec();
            if secret.len() < 32 {
                bail!("{} holds fewer than 32 bytes; delete it to generate a new secret", path.display());
            }
            return Ok(secret);
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
    }
    let mut bytes = [0_u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
    let hex = bytes.iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(hex.as_bytes())?;
    file.sync_all()?;
    Ok(hex.into_bytes())
}
