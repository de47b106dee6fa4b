//! Neighbourhoods (동네): which 행정동 a point is in (the [`Geocoder`] port, answered by the
//! bundled table of [`bundled::BundledGeocoder`] or, with the feature `kakao`, by Kakao Local's
//! REST API in [`kakao::KakaoGeocoder`]), whether a member stands within the 동네 they verify
//! ([`verify_within`], pure), and public places where a buyer and a seller can meet
//! ([`meeting_places::MeetingPlaces`]). Without the feature the crate compiles no HTTP client.

pub mod bundled;
mod distance;
#[cfg(feature = "kakao")]
pub mod kakao;
pub mod meeting_places;

use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;

pub use distance::{great_circle_midpoint, haversine_km};

/// How far beyond a 동's radius a point still counts as within it: GPS error, and the boundary
/// data being a generalised line rather than the cadastral one.
pub const AREA_MARGIN_KM: f64 = 0.5;

/// How long a 동네 인증 stays valid once granted.
pub const VERIFICATION_VALIDITY: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// A point on the WGS84 ellipsoid, in degrees; finite, latitude within ±90° and longitude
/// within ±180°.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatLng {
    pub lat: f64,
    pub lng: f64,
}

impl LatLng {
    pub fn new(lat: f64, lng: f64) -> Result<Self, GeoError> {
        if lat.is_finite() && lng.is_finite() && lat.abs() <= 90.0 && lng.abs() <= 180.0 {
            Ok(Self { lat, lng })
        } else {
            Err(GeoError::InvalidCoordinates { lat, lng })
        }
    }

    /// The great-circle distance to `other`, in km.
    pub fn distance_km(self, other: LatLng) -> f64 {
        haversine_km(self, other)
    }
}

/// Which code system a 동's code belongs to. The two do not map onto each other digit by digit
/// (강남구 is `11230` to KOSTAT and `11680` to the interior ministry), so codes from different
/// geocoders are never compared; names are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "system", content = "code", rename_all = "snake_case")]
pub enum DongCode {
    /// Statistics Korea's 7-digit 행정동 code (한국행정구역분류), as in the bundled table.
    Kostat(String),
    /// The interior ministry's 10-digit 행정기관코드, as Kakao Local answers it.
    Mois(String),
}

/// One 행정동 (administrative dong, 읍 or 면).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Neighbourhood {
    pub code: DongCode,
    /// 시/도, e.g. "서울특별시".
    pub sido: String,
    /// 시/군/구, e.g. "강남구" or "수원시 장안구".
    pub sigungu: String,
    /// 동/읍/면, e.g. "역삼1동".
    pub dong: String,
    /// The 동's centre: the boundary's centroid in the bundled table, Kakao's representative
    /// point in its answers.
    pub centre: LatLng,
    /// The distance from the centre to the farthest point of the boundary, where the source
    /// knows the boundary (the bundled table does; Kakao's answer does not).
    pub radius_km: Option<f64>,
}

impl Neighbourhood {
    /// "서울특별시 강남구 역삼1동".
    pub fn full_name(&self) -> String {
        format!("{} {} {}", self.sido, self.sigungu, self.dong)
    }
}

/// 동네 인증's check: whether (`lat`, `lng`) lies within `neighbourhood`'s area, i.e. no farther
/// from its centre than its radius plus [`AREA_MARGIN_KM`]. A neighbourhood whose radius is
/// unknown cannot be verified this way and is never within; look it up in the bundled table
/// ([`bundled::BundledGeocoder::by_name`]) first. Invalid coordinates are never within.
pub fn verify_within(neighbourhood: &Neighbourhood, lat: f64, lng: f64) -> bool {
    let (Some(radius), Ok(point)) = (neighbourhood.radius_km, LatLng::new(lat, lng)) else {
        return false;
    };
    haversine_km(neighbourhood.centre, point) <= radius + AREA_MARGIN_KM
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("coordinates ({lat}, {lng}) are not a point on Earth")]
    InvalidCoordinates { lat: f64, lng: f64 },
    /// The geocoder refused our credentials (Kakao: 401 or 403).
    #[error("the geocoder refused our credentials: {message}")]
    Misconfigured { message: String },
    /// The geocoder could not be asked or did not answer in time, or answered with a server
    /// error or a rate limit; worth retrying later.
    #[error("the geocoder is unavailable: {reason}")]
    Unavailable {
        reason: String,
        #[source]
        source: Option<BoxError>,
    },
    /// The geocoder answered something its documentation does not describe.
    #[error("the geocoder answered unexpectedly: {reason}")]
    UnexpectedAnswer {
        reason: String,
        #[source]
        source: Option<BoxError>,
    },
    /// A bundled data file does not parse; a build defect, caught by the crate's tests.
    #[error("bundled {file}, line {line}: {reason}")]
    BundledData { file: &'static str, line: usize, reason: String },
}

/// Answers which 행정동 a point lies in; `None` where there is none (the sea, outside Korea).
#[async_trait]
pub trait Geocoder: Send + Sync + 'static {
    async fn neighbourhood_of(&self, lat: f64, lng: f64) -> Result<Option<Neighbourhood>, GeoError>;
}
