//! The photo pipeline end to end: an upload in, a stripped original and a thumbnail stored.

use std::sync::Arc;

use bytes::Bytes;
use jangteo_media::{
    ImageKind, LocalDirStore, MediaError, ObjectStore, PhotoStore,
    s3::{S3Config, S3Store, Secret},
};
use jangteo_test_support::S3Server;
use uuid::Uuid;

use crate::fixtures::{self, LATITUDE, contains, latitude_bytes};

fn local() -> (tempfile::TempDir, PhotoStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalDirStore::open(dir.path()).unwrap();
    (dir, PhotoStore::new(Arc::new(store)))
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().fold(String::new(), |mut hex, byte| {
        write!(hex, "{byte:02x}").unwrap();
        hex
    })
}

/// Ingests a JPEG with a GPS position, and checks what is stored.
async fn ingests_a_jpeg(photos: &PhotoStore) {
    let plain = fixtures::jpeg(640, 480);
    let upload = fixtures::jpeg_with_exif(&plain, &fixtures::exif_tiff(None, LATITUDE));
    let id = Uuid::new_v4();
    let photo = photos.ingest(id, Bytes::from(upload)).await.unwrap();
    assert_eq!(photo.image_id, id);
    assert_eq!(photo.kind, ImageKind::Jpeg);
    assert_eq!((photo.width, photo.height), (640, 480));
    assert_eq!(photo.size, plain.len() as u64);
    assert_eq!(photo.sha256_hex, sha256_hex(&plain), "the hash is of the stored, stripped bytes");
    assert_eq!(photo.original_key.as_str(), format!("images/{id}.jpg"));
    assert_eq!(photo.thumbnail_key.as_str(), format!("images/{id}-thumb.jpg"));
    assert_eq!(PhotoStore::original_key(id, photo.kind), photo.original_key);
    assert_eq!(PhotoStore::thumbnail_key(id, photo.kind), photo.thumbnail_key);

    let original = photos.open(&photo.original_key).await.unwrap().unwrap();
    assert_eq!(original.content_type, "image/jpeg");
    assert!(!contains(&original.bytes, &latitude_bytes(LATITUDE)));
    assert_eq!(original.bytes, plain);
    let thumb = photos.open(&photo.thumbnail_key).await.unwrap().unwrap();
    assert_eq!(thumb.content_type, "image/jpeg");
    let decoded = image::load_from_memory(&thumb.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (320, 240));

    photos.remove(id).await.unwrap();
    assert_eq!(photos.open(&photo.original_key).await.unwrap(), None);
    assert_eq!(photos.open(&photo.thumbnail_key).await.unwrap(), None);
    photos.remove(id).await.unwrap(); // removing again is no error
}

#[tokio::test]
async fn a_jpeg_is_stored_stripped_with_its_thumbnail_and_removed_again() {
    let (_dir, photos) = local();
    ingests_a_jpeg(&photos).await;
}

#[tokio::test]
async fn a_jpeg_is_stored_in_s3() {
    let Some(server) = S3Server::start() else { return };
    let config = S3Config {
        endpoint: server.endpoint.clone(),
        bucket: server.bucket.clone(),
        access_key: server.access_key.clone(),
        secret_key: Secret::new(server.secret_key.clone()),
        region: server.region.clone(),
    };
    let photos = PhotoStore::new(Arc::new(S3Store::new(&config).unwrap()));
    ingests_a_jpeg(&photos).await;
}

#[tokio::test]
async fn the_same_photo_with_other_metadata_hashes_the_same() {
    let (_dir, photos) = local();
    let plain = fixtures::png(50, 40);
    let at_home = fixtures::png_with_exif(&plain, &fixtures::exif_tiff(None, LATITUDE));
    let elsewhere = fixtures::png_with_exif(&plain, &fixtures::exif_tiff(Some(3), [35, 1, 10, 1, 1, 1]));
    let mut hashes = Vec::new();
    for upload in [plain, at_home, elsewhere] {
        hashes.push(photos.ingest(Uuid::new_v4(), Bytes::from(upload)).await.unwrap().sha256_hex);
    }
    assert_eq!(hashes[0], hashes[1]);
    assert_eq!(hashes[1], hashes[2]);

    let jpeg = fixtures::jpeg(64, 64);
    let one = fixtures::jpeg_with_exif(&jpeg, &fixtures::exif_tiff(None, LATITUDE));
    let other = fixtures::jpeg_with_exif(&jpeg, &fixtures::exif_tiff(None, [35, 1, 10, 1, 1, 1]));
    let one = photos.ingest(Uuid::new_v4(), Bytes::from(one)).await.unwrap();
    let other = photos.ingest(Uuid::new_v4(), Bytes::from(other)).await.unwrap();
    assert_eq!(one.sha256_hex, other.sha256_hex);
    assert_eq!(one.sha256_hex.len(), 64);
    assert_ne!(one.sha256_hex, hashes[0], "another photo, another hash");
}

#[tokio::test]
async fn a_heic_photo_is_its_own_thumbnail() {
    let (_dir, photos) = local();
    let heic = fixtures::heic(4032, 3024, None, &fixtures::exif_tiff(None, LATITUDE));
    let id = Uuid::new_v4();
    let photo = photos.ingest(id, Bytes::from(heic.bytes)).await.unwrap();
    assert_eq!(photo.kind, ImageKind::Heic);
    assert_eq!((photo.width, photo.height), (4032, 3024));
    assert_eq!(photo.original_key.as_str(), format!("images/{id}.heic"));
    assert_eq!(photo.thumbnail_key, photo.original_key);
    assert_eq!(PhotoStore::thumbnail_key(id, ImageKind::Heic), photo.thumbnail_key);
    let stored = photos.open(&photo.original_key).await.unwrap().unwrap();
    assert_eq!(stored.content_type, "image/heic");
    assert!(!contains(&stored.bytes, &latitude_bytes(LATITUDE)));
    photos.remove(id).await.unwrap();
    assert_eq!(photos.open(&photo.original_key).await.unwrap(), None);
}

#[tokio::test]
async fn a_refused_upload_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ObjectStore> = Arc::new(LocalDirStore::open(dir.path()).unwrap());
    let photos = PhotoStore::new(store);
    let mut broken_png = fixtures::png(64, 64);
    let idat = broken_png.windows(4).position(|window| window == b"IDAT").unwrap() + 4;
    broken_png[idat + 2..idat + 40].fill(0x5A);
    let uploads = [
        b"GIF89a not accepted".to_vec(),
        vec![0xFF; 11 * 1024 * 1024],
        fixtures::jpeg(8, 8)[..30].to_vec(),
        broken_png,
    ];
    for upload in uploads {
        let refused = photos.ingest(Uuid::new_v4(), Bytes::from(upload)).await.unwrap_err();
        assert!(refused.is_refusal(), "{refused:?}");
        assert!(!matches!(refused, MediaError::Storage { .. }));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing was written");
}
