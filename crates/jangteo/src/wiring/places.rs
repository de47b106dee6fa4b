//! Photos and places: the object store photos go to, and the geocoder that names neighbourhoods.

use std::{sync::Arc, time::Duration};

use anyhow::{Context, Result};
use jangteo_app::{Listings, Neighbourhoods};
use jangteo_geo::{
    Geocoder,
    bundled::BundledGeocoder,
    kakao::{DEFAULT_BASE_URL, KakaoConfig, KakaoGeocoder, KakaoRestApiKey},
    meeting_places::MeetingPlaces,
};
use jangteo_media::{LocalDirStore, ObjectStore, PhotoStore, s3::S3Config, s3::S3Store};

use crate::config::Config;

/// Photos in S3-compatible storage when `JANGTEO_S3_ENDPOINT`/`JANGTEO_S3_BUCKET` are set,
/// otherwise in `<data_dir>/photos`.
pub(super) fn photo_store(config: &Config) -> Result<PhotoStore> {
    let objects: Arc<dyn ObjectStore> = match S3Config::from_env().context("JANGTEO_S3_*")? {
        Some(s3) => Arc::new(S3Store::new(&s3).context("building the S3 client")?),
        None => Arc::new(
            LocalDirStore::open(&config.data_dir.join("photos")).context("opening the photo directory")?,
        ),
    };
    tracing::info!(store = %objects.describe(), "photos");
    Ok(PhotoStore::new(objects))
}

/// The neighbourhood services: Kakao Local when `JANGTEO_KAKAO_REST_API_KEY` is set, otherwise
/// the bundled table of 행정동 centroids.
pub(super) fn neighbourhoods(config: &Config) -> Result<Neighbourhoods> {
    let geocoder: Arc<dyn Geocoder> = match &config.kakao_rest_api_key {
        Some(key) => Arc::new(
            KakaoGeocoder::new(&KakaoConfig {
                base_url: config.kakao_api_base.clone().unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()),
                rest_api_key: KakaoRestApiKey::new(key.expose()),
                timeout: Duration::from_secs(3),
            })
            .context("building the Kakao Local client")?,
        ),
        None => Arc::new(BundledGeocoder::new().context("the bundled neighbourhood table")?),
    };
    let places = MeetingPlaces::bundled().context("the bundled meeting places")?;
    Ok(Neighbourhoods::new(geocoder, Arc::new(places)))
}

/// `listings` naming each listing's neighbourhood from its point.
pub(super) fn with_neighbourhoods(listings: Listings, neighbourhoods: &Neighbourhoods) -> Listings {
    listings.with_neighbourhoods(Arc::new(neighbourhoods.clone()))
}
