//! Object keys: validated once, so no adapter can be led out of its directory or bucket prefix.

use crate::MediaError;

/// The longest key accepted, in bytes (S3 allows 1024; ours are far shorter).
const MAX_KEY_LEN: usize = 256;

/// A key in an [`crate::ObjectStore`]: `/`-separated segments of ASCII letters, digits, `-`,
/// `_` and `.`, none empty, none starting with `.` (so no `.` or `..`, and no hidden files,
/// which [`crate::LocalDirStore`] keeps for itself), no leading or trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey(String);

impl ObjectKey {
    pub fn parse(key: &str) -> Result<Self, MediaError> {
        let valid_segment = |segment: &str| {
            !segment.is_empty()
                && !segment.starts_with('.')
                && segment
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'))
        };
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.split('/').all(valid_segment) {
            return Err(MediaError::InvalidKey(key.chars().take(MAX_KEY_LEN).collect()));
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its segments, outermost first (a directory each but the last).
    pub(crate) fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ObjectKey {
    type Err = MediaError;

    fn from_str(key: &str) -> Result<Self, Self::Err> {
        Self::parse(key)
    }
}
