//! The ObjectStore contract, run against every adapter: the local directory, and S3 through a
//! real S3-protocol server (s3s-fs, which `jangteo-test-support` starts).

use bytes::Bytes;
use jangteo_media::{
    LocalDirStore, MediaError, ObjectKey, ObjectStore,
    s3::{S3Config, S3Store, Secret},
};
use jangteo_test_support::S3Server;

fn key(key: &str) -> ObjectKey {
    ObjectKey::parse(key).unwrap()
}

/// What every adapter promises. `prefix` keeps runs apart on a shared store.
async fn contract(store: &dyn ObjectStore, prefix: &str) {
    let photo = key(&format!("{prefix}/images/photo.jpg"));
    assert_eq!(store.get(&photo).await.unwrap(), None, "a missing key is None, not an error");

    store.put(&photo, Bytes::from_static(b"\xFF\xD8\xFFfirst"), "image/jpeg").await.unwrap();
    let stored = store.get(&photo).await.unwrap().unwrap();
    assert_eq!(stored.bytes, Bytes::from_static(b"\xFF\xD8\xFFfirst"));
    assert_eq!(stored.content_type, "image/jpeg");

    // Overwriting replaces bytes and type.
    store.put(&photo, Bytes::from_static(b"\x89PNG second"), "image/png").await.unwrap();
    let stored = store.get(&photo).await.unwrap().unwrap();
    assert_eq!(stored.bytes, Bytes::from_static(b"\x89PNG second"));
    assert_eq!(stored.content_type, "image/png");

    // A neighbour is its own object.
    let thumb = key(&format!("{prefix}/images/photo-thumb.jpg"));
    store.put(&thumb, Bytes::from(vec![7_u8; 100_000]), "image/jpeg").await.unwrap();
    assert_eq!(store.get(&thumb).await.unwrap().unwrap().bytes.len(), 100_000);

    store.delete(&photo).await.unwrap();
    assert_eq!(store.get(&photo).await.unwrap(), None);
    store.delete(&photo).await.unwrap(); // deleting again is no error
    store.delete(&key(&format!("{prefix}/never/written.jpg"))).await.unwrap();
    assert!(store.get(&thumb).await.unwrap().is_some(), "deleting one key leaves the others");
    store.delete(&thumb).await.unwrap();
}

#[test]
fn keys_that_could_leave_the_store_are_refused() {
    for bad in [
        "",
        "/images/a.jpg",
        "images/../secret",
        "../a",
        "images/./a.jpg",
        "images//a.jpg",
        "images/a.jpg/",
        "images/.hidden",
        "images/a b.jpg",
        "images/a%2F.jpg",
        "images\\a.jpg",
        "이미지/a.jpg",
        "a\0b",
    ] {
        assert!(matches!(ObjectKey::parse(bad), Err(MediaError::InvalidKey(_))), "{bad:?} was accepted");
    }
    let long = "a".repeat(257);
    assert!(ObjectKey::parse(&long).is_err());
    for good in ["images/0f3c-thumb.jpg", "a", "A_b-c.d/e.f"] {
        assert_eq!(ObjectKey::parse(good).unwrap().as_str(), good);
    }
}

#[tokio::test]
async fn a_local_directory_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalDirStore::open(&dir.path().join("media")).unwrap();
    contract(&store, "run").await;
}

#[tokio::test]
async fn a_local_directory_keeps_plain_files_and_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalDirStore::open(dir.path()).unwrap();
    store.put(&key("images/a.webp"), Bytes::from_static(b"RIFF"), "image/webp").await.unwrap();
    assert_eq!(std::fs::read(dir.path().join("images/a.webp")).unwrap(), b"RIFF");
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("images"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".a.webp.content-type", "a.webp"]);
    // An object whose type file is gone gets the type its extension names.
    std::fs::remove_file(dir.path().join("images/.a.webp.content-type")).unwrap();
    assert_eq!(store.get(&key("images/a.webp")).await.unwrap().unwrap().content_type, "image/webp");
}

fn s3_config(server: &S3Server) -> S3Config {
    S3Config {
        endpoint: server.endpoint.clone(),
        bucket: server.bucket.clone(),
        access_key: server.access_key.clone(),
        secret_key: Secret::new(server.secret_key.clone()),
        region: server.region.clone(),
    }
}

#[tokio::test]
async fn an_s3_bucket_keeps_the_contract() {
    let Some(server) = S3Server::start() else { return };
    let store = S3Store::new(&s3_config(&server)).unwrap();
    contract(&store, &uuid::Uuid::new_v4().to_string()).await;
}

#[tokio::test]
async fn an_s3_service_refusing_the_keys_is_an_error_not_a_missing_object() {
    let Some(server) = S3Server::start() else { return };
    let config = S3Config { secret_key: Secret::new("not the secret"), ..s3_config(&server) };
    let store = S3Store::new(&config).unwrap();
    let refused = store.get(&key("images/a.jpg")).await.unwrap_err();
    assert!(matches!(refused, MediaError::Storage { .. }), "{refused:?}");
    assert!(!refused.is_refusal(), "the storage's failure, not the upload's");
    let refused = store.put(&key("images/a.jpg"), Bytes::from_static(b"x"), "image/jpeg").await.unwrap_err();
    assert!(matches!(refused, MediaError::Storage { .. }), "{refused:?}");
}

#[test]
fn the_s3_configuration_is_read_from_its_variables() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| pairs.iter().find(|(var, _)| *var == name).map(|(_, value)| (*value).to_owned())
    };
    assert_eq!(S3Config::from_lookup(vars(&[])).unwrap(), None, "no S3 wanted");
    let config = S3Config::from_lookup(vars(&[
        ("JANGTEO_S3_ENDPOINT", "http://127.0.0.1:9000"),
        ("JANGTEO_S3_BUCKET", "photos"),
        ("JANGTEO_S3_ACCESS_KEY", "AKID"),
        ("JANGTEO_S3_SECRET_KEY", "very secret"),
    ]))
    .unwrap()
    .unwrap();
    assert_eq!(config.region, "us-east-1");
    assert_eq!((config.endpoint.as_str(), config.bucket.as_str()), ("http://127.0.0.1:9000", "photos"));
    assert_eq!(config.secret_key.expose(), "very secret");
    assert!(!format!("{config:?}").contains("very secret"), "the secret never prints");

    let partial = S3Config::from_lookup(vars(&[("JANGTEO_S3_BUCKET", "photos")])).unwrap_err();
    assert!(partial.to_string().contains("JANGTEO_S3_ENDPOINT"), "{partial}");
    let no_url = S3Config::from_lookup(vars(&[
        ("JANGTEO_S3_ENDPOINT", "127.0.0.1:9000"),
        ("JANGTEO_S3_BUCKET", "photos"),
        ("JANGTEO_S3_ACCESS_KEY", "AKID"),
        ("JANGTEO_S3_SECRET_KEY", "s"),
    ]));
    assert!(matches!(no_url, Err(MediaError::Config(_))));
}
