//! Photos and places: the object store photos go to, and the geocoder that names neighbourhoods.

use std::{sync::Arc, time::Duration};

use anyhow::{Context, Result};
use jangteo_app::{
    ListingPhotos, Listings, NeighbourhoodVerifications, Neighbourhoods, Queries, SystemClock, UnitOfWork,
};
use jangteo_domain::moderation::ModerationPolicy;
use jangteo_geo::{
    Geocoder,
    bundled::BundledGeocoder,
    kakao::{DEFAULT_BASE_URL, KakaoConfig, KakaoGeocoder, KakaoRestApiKey},
    meeting_places::MeetingPlaces,
};
use jangteo_identity::PersonalDataVault;
use jangteo_media::{LocalDirStore, ObjectStore, PhotoStore, s3::S3Config, s3::S3Store};

use crate::config::Config;

/// Photos in S3-compatible storage when `JANGTEO_S3_ENDPOINT`/`JANGTEO_S3_BUCKET` are set,
/// otherwise in `<data_dir>/photos`.
fn photo_store(config: &Config) -> Result<PhotoStore> {
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
fn neighbourhoods(config: &Config) -> Result<Neighbourhoods> {
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

/// The listings and what they lean on for places: moderation with photo fingerprints, each
/// listing's neighbourhood named from its point, photos, and 동네 인증.
pub(super) struct ListingServices {
    pub(super) listings: Listings,
    pub(super) photos: ListingPhotos,
    pub(super) neighbourhoods: Neighbourhoods,
    pub(super) neighbourhood_verifications: NeighbourhoodVerifications,
}

pub(super) fn listing_services(
    config: &Config,
    uow: &UnitOfWork,
    vault: &PersonalDataVault,
    queries: &Queries,
) -> Result<ListingServices> {
    let neighbourhoods = neighbourhoods(config)?;
    let listings = Listings::new(uow)
        .with_moderation(ModerationPolicy::new(&config.banned_words, config.review_unverified_sellers))
        .with_photo_fingerprints(Arc::new(queries.clone()))
        .with_neighbourhoods(Arc::new(neighbourhoods.clone()));
    let photos = ListingPhotos::new(listings.clone(), photo_store(config)?);
    let neighbourhood_verifications =
        NeighbourhoodVerifications::new(uow, vault, &neighbourhoods, Arc::new(SystemClock));
    Ok(ListingServices { listings, photos, neighbourhoods, neighbourhood_verifications })
}
