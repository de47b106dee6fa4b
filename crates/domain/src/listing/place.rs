//! Where a listing is: a point, kept coarse on purpose, and the name of its neighbourhood (동네).
//!
//! A seller's location is often their home, and the log keeps every event for ever, so a point
//! is rounded to a grid of 0.001° (about 110 m north–south, 90 m east–west in Korea) before it
//! becomes part of an event: the log never holds more than a neighbourhood search needs.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Decimal places kept of a latitude or longitude.
const GRID: f64 = 1000.0;

/// A point on the earth, rounded to the privacy grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPoint", into = "RawPoint")]
pub struct GeoPoint {
    lat: f64,
    lng: f64,
}

// Coordinates are finite by construction, so equality is an equivalence.
impl Eq for GeoPoint {}

#[derive(Serialize, Deserialize)]
struct RawPoint {
    lat: f64,
    lng: f64,
}

impl GeoPoint {
    /// `lat` in −90..=90 and `lng` in −180..=180, rounded to the grid.
    pub fn new(lat: f64, lng: f64) -> Result<Self, ValidationError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(ValidationError::new("location.lat", "must be a latitude, -90 to 90"));
        }
        if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
            return Err(ValidationError::new("location.lng", "must be a longitude, -180 to 180"));
        }
        Ok(Self { lat: (lat * GRID).round() / GRID, lng: (lng * GRID).round() / GRID })
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lng(self) -> f64 {
        self.lng
    }

    /// The great-circle distance to `other` in kilometres (haversine, mean earth radius).
    pub fn distance_km(self, other: GeoPoint) -> f64 {
        const EARTH_RADIUS_KM: f64 = 6371.0088;
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let d_lat = lat2 - lat1;
        let d_lng = (other.lng - self.lng).to_radians();
        let a = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lng / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }
}

impl TryFrom<RawPoint> for GeoPoint {
    type Error = ValidationError;

    fn try_from(raw: RawPoint) -> Result<Self, Self::Error> {
        Self::new(raw.lat, raw.lng)
    }
}

impl From<GeoPoint> for RawPoint {
    fn from(point: GeoPoint) -> Self {
        RawPoint { lat: point.lat, lng: point.lng }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failed expectation is a failed test")]

    use super::*;

    #[test]
    fn points_are_rounded_to_the_privacy_grid_and_checked() {
        let city_hall = GeoPoint::new(37.566_535, 126.977_969).unwrap();
        assert_eq!((city_hall.lat(), city_hall.lng()), (37.567, 126.978));
        assert!(GeoPoint::new(91.0, 0.0).is_err());
        assert!(GeoPoint::new(0.0, f64::NAN).is_err());
        assert!(GeoPoint::new(0.0, -181.0).is_err());
    }

    #[test]
    fn distances_are_great_circle_kilometres() {
        let city_hall = GeoPoint::new(37.5665, 126.9780).unwrap();
        let gangnam = GeoPoint::new(37.4979, 127.0276).unwrap();
        let distance = city_hall.distance_km(gangnam);
        assert!((8.0..9.5).contains(&distance), "{distance}");
        assert!(city_hall.distance_km(city_hall) < 1e-9);
    }
}
