//! The neighbourhood (동네): a listing's point named by the geocoder, and public places for
//! a buyer and a seller to meet at.

use std::sync::Arc;

use async_trait::async_trait;
use jangteo_domain::{AreaName, DomainError, ValidationError, listing::GeoPoint};
use jangteo_geo::{
    GeoError, Geocoder, LatLng,
    meeting_places::{MeetingPlace, MeetingPlaces},
};

use crate::{AppError, NeighbourhoodNamer};

/// Places recommended at most, whatever a client asks.
pub const MAX_MEETING_PLACES: usize = 20;

#[derive(Clone)]
pub struct Neighbourhoods {
    geocoder: Arc<dyn Geocoder>,
    places: Arc<MeetingPlaces>,
}

impl Neighbourhoods {
    pub fn new(geocoder: Arc<dyn Geocoder>, places: Arc<MeetingPlaces>) -> Self {
        Self { geocoder, places }
    }

    /// Public places (subway stations from the bundled public dataset) nearest the middle of
    /// `a` and `b`, fairest first: the longer of the two trips shortest.
    pub fn meeting_places(&self, a: GeoPoint, b: GeoPoint, limit: usize) -> Vec<MeetingPlace> {
        self.places.between(lat_lng(a), lat_lng(b), limit.clamp(1, MAX_MEETING_PLACES))
    }
}

fn lat_lng(point: GeoPoint) -> LatLng {
    // A GeoPoint is a valid coordinate by construction; LatLng checks the same ranges.
    LatLng { lat: point.lat(), lng: point.lng() }
}

impl Neighbourhoods {
    /// The 동네 at `point`, "강남구 역삼1동"; `None` in no 동 (the sea, abroad). A geocoder that is
    /// down is [`AppError::Geocoder`].
    pub async fn area_at(&self, point: GeoPoint) -> Result<Option<AreaName>, AppError> {
        match self.geocoder.neighbourhood_of(point.lat(), point.lng()).await {
            Ok(Some(found)) => {
                let name = format!("{} {}", found.sigungu, found.dong);
                Ok(AreaName::parse(name.trim()).ok())
            }
            Ok(None) => Ok(None),
            Err(GeoError::InvalidCoordinates { .. }) => {
                Err(DomainError::from(ValidationError::new("location", "must be a point on Earth")).into())
            }
            Err(error) => Err(AppError::Geocoder(error)),
        }
    }
}

#[async_trait]
impl NeighbourhoodNamer for Neighbourhoods {
    /// The 동네 at the point. A geocoder that is down or answers nonsense leaves the listing
    /// without a name rather than refusing it: the point is what search uses.
    async fn neighbourhood_of(&self, point: GeoPoint) -> Result<Option<AreaName>, AppError> {
        match self.area_at(point).await {
            Err(AppError::Geocoder(error)) => {
                tracing::warn!(%error, "naming a listing's neighbourhood failed; it goes without");
                Ok(None)
            }
            named => named,
        }
    }
}
