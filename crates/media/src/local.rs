//! The embedded profile's object store: a directory (`JANGTEO_DATA_DIR/media/`), each object a
//! plain file at its key, so a newcomer can open the photos. Its content type is kept beside it
//! in a hidden file (`.<name>.content-type`; keys never start a segment with `.`, so no key
//! can name it). Both are written to a temp file first and renamed into place, so a reader
//! never sees half an object.

use std::{
    io::ErrorKind,
    path::{Path, PathBuf},
};

use async_trait::async_trait;
use bytes::Bytes;

use crate::{MediaError, ObjectKey, ObjectStore, StoredObject};

/// The content type of an object whose sidecar is missing, when its extension says nothing.
const UNKNOWN_TYPE: &str = "application/octet-stream";

#[derive(Debug, Clone)]
pub struct LocalDirStore {
    root: PathBuf,
}

impl LocalDirStore {
    /// A store in `root`, created if it is missing.
    pub fn open(root: &Path) -> Result<Self, MediaError> {
        std::fs::create_dir_all(root).map_err(|source| MediaError::Storage {
            key: root.display().to_string(),
            source: source.into(),
        })?;
        Ok(Self { root: root.to_path_buf() })
    }

    /// The file of the object, and the file of its content type.
    fn paths(&self, key: &ObjectKey) -> (PathBuf, PathBuf) {
        let object: PathBuf = key.segments().fold(self.root.clone(), |path, segment| path.join(segment));
        let name = key.segments().last().unwrap_or_default();
        let content_type = object.with_file_name(format!(".{name}.content-type"));
        (object, content_type)
    }
}

/// Writes `bytes` to a fresh temp file beside `path`, flushed, and renames it to `path`.
async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let written = async {
        let mut file = tokio::fs::File::create(&temp).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, bytes).await?;
        file.sync_all().await?;
        tokio::fs::rename(&temp, path).await
    }
    .await;
    if written.is_err() {
        let _ = tokio::fs::remove_file(&temp).await;
    }
    written
}

/// The content type a key's extension implies, for objects whose sidecar is missing.
fn type_of_extension(key: &ObjectKey) -> &'static str {
    let extension = key.as_str().rsplit_once('.').map(|(_, extension)| extension.to_ascii_lowercase());
    match extension.as_deref() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("heic" | "heif") => "image/heic",
        _ => UNKNOWN_TYPE,
    }
}

fn missing_is_none<T>(result: std::io::Result<T>) -> std::io::Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

#[async_trait]
impl ObjectStore for LocalDirStore {
    async fn put(&self, key: &ObjectKey, bytes: Bytes, content_type: &str) -> Result<(), MediaError> {
        let (object, content_type_file) = self.paths(key);
        let written = async {
            if let Some(parent) = object.parent() {
                tokio::fs::create_dir_all(parent).await?;
            }
            // The type first: an object is never visible with another object's type beside it
            // for longer than between the two renames.
            write_atomically(&content_type_file, content_type.as_bytes()).await?;
            write_atomically(&object, &bytes).await
        };
        written.await.map_err(|error| MediaError::storage(key, error))
    }

    async fn get(&self, key: &ObjectKey) -> Result<Option<StoredObject>, MediaError> {
        let (object, content_type_file) = self.paths(key);
        let read = async {
            let Some(bytes) = missing_is_none(tokio::fs::read(&object).await)? else { return Ok(None) };
            let content_type = missing_is_none(tokio::fs::read_to_string(&content_type_file).await)?
                .unwrap_or_else(|| type_of_extension(key).to_owned());
            Ok::<_, std::io::Error>(Some(StoredObject { bytes: Bytes::from(bytes), content_type }))
        };
        read.await.map_err(|error| MediaError::storage(key, error))
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), MediaError> {
        let (object, content_type_file) = self.paths(key);
        let removed = async {
            missing_is_none(tokio::fs::remove_file(&object).await)?;
            missing_is_none(tokio::fs::remove_file(&content_type_file).await)?;
            Ok::<_, std::io::Error>(())
        };
        removed.await.map_err(|error| MediaError::storage(key, error))
    }

    fn describe(&self) -> String {
        format!("the directory {}", self.root.display())
    }
}
