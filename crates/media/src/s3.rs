//! The distributed profile's object store: an S3-compatible service (AWS S3, MinIO, Ceph, NAVER
//! Cloud Object Storage, …) through the `object_store` crate, path-style requests to the
//! endpoint `JANGTEO_S3_ENDPOINT` names, signed with the keys `JANGTEO_S3_ACCESS_KEY` /
//! `JANGTEO_S3_SECRET_KEY`, in the bucket `JANGTEO_S3_BUCKET` (which must exist), region
//! `JANGTEO_S3_REGION` (`us-east-1` when unset). Every request has a timeout and a bounded
//! number of retries.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use object_store::{
    Attribute, Attributes, ClientOptions, ObjectStore as _, ObjectStoreExt as _, PutOptions, PutPayload,
    RetryConfig,
    aws::{AmazonS3, AmazonS3Builder},
    path::Path,
};

use crate::{MediaError, ObjectKey, ObjectStore, StoredObject};

pub const ENDPOINT_VAR: &str = "JANGTEO_S3_ENDPOINT";
pub const BUCKET_VAR: &str = "JANGTEO_S3_BUCKET";
pub const ACCESS_KEY_VAR: &str = "JANGTEO_S3_ACCESS_KEY";
pub const SECRET_KEY_VAR: &str = "JANGTEO_S3_SECRET_KEY";
pub const REGION_VAR: &str = "JANGTEO_S3_REGION";
pub const DEFAULT_REGION: &str = "us-east-1";

/// How long one request may take, a 10 MB photo's upload included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Retries of a request that failed on the way or with a 5xx, and how long they may go on.
const MAX_RETRIES: usize = 3;
const RETRY_TIMEOUT: Duration = Duration::from_secs(60);

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Where the S3 service is and how to sign in to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    /// `http://` or `https://`; plain HTTP is allowed only when the endpoint says so.
    pub endpoint: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: Secret,
    pub region: String,
}

impl S3Config {
    /// From the process environment: `None` when neither `JANGTEO_S3_ENDPOINT` nor
    /// `JANGTEO_S3_BUCKET` is set (no S3 wanted), an error when only some of it is.
    pub fn from_env() -> Result<Option<Self>, MediaError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`Self::from_env`], reading each variable through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, MediaError> {
        let read =
            |name: &str| lookup(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty());
        let (endpoint, bucket) = (read(ENDPOINT_VAR), read(BUCKET_VAR));
        if endpoint.is_none() && bucket.is_none() {
            return Ok(None);
        }
        let required = |name: &str, value: Option<String>| {
            value.ok_or_else(|| MediaError::Config(format!("{name} is not set")))
        };
        let endpoint = required(ENDPOINT_VAR, endpoint)?;
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(MediaError::Config(format!("{ENDPOINT_VAR} is not an http:// or https:// URL")));
        }
        Ok(Some(Self {
            endpoint,
            bucket: required(BUCKET_VAR, bucket)?,
            access_key: required(ACCESS_KEY_VAR, read(ACCESS_KEY_VAR))?,
            secret_key: Secret(required(SECRET_KEY_VAR, read(SECRET_KEY_VAR))?),
            region: read(REGION_VAR).unwrap_or_else(|| DEFAULT_REGION.to_owned()),
        }))
    }
}

#[derive(Debug)]
pub struct S3Store {
    client: AmazonS3,
    endpoint: String,
    bucket: String,
}

impl S3Store {
    /// A client for the bucket; nothing is sent until the first request.
    pub fn new(config: &S3Config) -> Result<Self, MediaError> {
        let client_options = ClientOptions::new()
            .with_timeout(REQUEST_TIMEOUT)
            .with_connect_timeout(CONNECT_TIMEOUT)
            .with_allow_http(config.endpoint.starts_with("http://"));
        let retry =
            RetryConfig { max_retries: MAX_RETRIES, retry_timeout: RETRY_TIMEOUT, ..RetryConfig::default() };
        let client = AmazonS3Builder::new()
            .with_endpoint(&config.endpoint)
            .with_bucket_name(&config.bucket)
            .with_access_key_id(&config.access_key)
            .with_secret_access_key(config.secret_key.expose())
            .with_region(&config.region)
            // Path-style (`endpoint/bucket/key`): what every S3-compatible service answers.
            .with_virtual_hosted_style_request(false)
            .with_client_options(client_options)
            .with_retry(retry)
            .build()
            .map_err(|error| MediaError::Client(Box::new(error)))?;
        Ok(Self { client, endpoint: config.endpoint.clone(), bucket: config.bucket.clone() })
    }
}

fn path_of(key: &ObjectKey) -> Result<Path, MediaError> {
    // Every ObjectKey is a valid object_store path; the check stays for safety's sake.
    Path::parse(key.as_str()).map_err(|error| MediaError::storage(key, error))
}

#[async_trait]
impl ObjectStore for S3Store {
    async fn put(&self, key: &ObjectKey, bytes: Bytes, content_type: &str) -> Result<(), MediaError> {
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, content_type.to_owned().into());
        let options = PutOptions { attributes, ..PutOptions::default() };
        self.client
            .put_opts(&path_of(key)?, PutPayload::from_bytes(bytes), options)
            .await
            .map_err(|error| MediaError::storage(key, error))?;
        Ok(())
    }

    async fn get(&self, key: &ObjectKey) -> Result<Option<StoredObject>, MediaError> {
        let result = match self.client.get(&path_of(key)?).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(error) => return Err(MediaError::storage(key, error)),
        };
        let content_type = result
            .attributes
            .get(&Attribute::ContentType)
            .map_or_else(|| "application/octet-stream".to_owned(), |value| value.to_string());
        let bytes = result.bytes().await.map_err(|error| MediaError::storage(key, error))?;
        Ok(Some(StoredObject { bytes, content_type }))
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), MediaError> {
        // S3 answers a DELETE of a missing key with 204, as of one it removed; other services
        // may say 404, which is as good.
        match self.client.delete(&path_of(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(MediaError::storage(key, error)),
        }
    }

    fn describe(&self) -> String {
        format!("S3 bucket {} at {}", self.bucket, self.endpoint)
    }
}
