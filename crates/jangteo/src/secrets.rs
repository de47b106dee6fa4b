//! Secrets a deployment may leave unset: generated once, kept in the data dir (owner-only files).
//! The token-signing secret (`jwt-secret`) and the master key of members' data keys
//! (`master-key`). A deployment of several processes sets both in the environment instead.

use std::{fmt::Write as _, io::Write, path::Path};

use anyhow::{Context, Result, bail};
use ring::rand::{SecureRandom, SystemRandom};

/// The file of the access tokens' signing secret.
pub const JWT_SECRET_FILE: &str = "jwt-secret";
/// The file of the master key.
pub const MASTER_KEY_FILE: &str = "master-key";

/// Reads the secret `file_name` from `data_dir`, creating a random 256-bit one (64 hex digits,
/// owner-only file) if missing.
pub fn load_or_create(data_dir: &Path, file_name: &str) -> Result<Vec<u8>> {
    let path = data_dir.join(file_name);
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

/// Writes `text` as the secret `file_name` of `data_dir` in place of the one there: into a new
/// owner-only file first, then renamed over it, so the file always holds one whole secret.
pub fn replace(data_dir: &Path, file_name: &str, text: &str) -> Result<()> {
    let path = data_dir.join(file_name);
    let next = data_dir.join(format!("{file_name}.next"));
    write_owner_only(&next, text)?;
    std::fs::rename(&next, &path)
        .with_context(|| format!("renaming {} to {}", next.display(), path.display()))
}

/// Writes `text` to a new owner-only file at `path` (replacing a leftover one), synced.
pub fn write_owner_only(path: &Path, text: &str) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}
