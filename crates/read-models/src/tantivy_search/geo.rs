//! Where a listing is, for an index without a geo type: H3 cells as indexed terms.
//!
//! A listing's location is indexed as its cell at each of [`RESOLUTIONS`]. A radius query picks
//! the finest resolution whose grid disk covering the circle stays small, asks for any of those
//! cells (a cheap, slightly too wide prefilter), and the collector then keeps only listings
//! whose exact haversine distance is within the radius.

use h3o::{CellIndex, LatLng, Resolution};
use jangteo_domain::listing::GeoPoint;

/// Indexed resolutions, coarse to fine: average edges of about 59, 8.5 and 1.2 km.
pub(super) const RESOLUTIONS: [Resolution; 3] = [Resolution::Three, Resolution::Five, Resolution::Seven];

/// The largest disk (in rings) a query asks for: 3k² + 3k + 1 = 469 cells.
const MAX_RINGS: u32 = 12;

/// Cells vary in size around their resolution's average edge; this much margin, and one ring
/// more than the geometry needs, keep the disk covering the circle everywhere.
const EDGE_MARGIN: f64 = 1.3;

/// The domain's mean earth radius (`GeoPoint::distance_km`): one radian of latitude.
const EARTH_RADIUS_KM: f64 = 6371.0088;
/// Room for rounding between the latitude gap and the haversine distance.
const GAP_MARGIN_KM: f64 = 1e-6;

/// At most the great-circle distance between a place at `lat` and `center`: the distance along
/// the meridian between their latitudes, which no path between them is shorter than. Cheaper
/// than the distance, and it needs the latitude only.
pub(super) fn latitude_gap_km(lat: f64, center: GeoPoint) -> f64 {
    (lat - center.lat()).abs().to_radians() * EARTH_RADIUS_KM - GAP_MARGIN_KM
}

/// The cells a listing at `point` is indexed under, as u64 terms.
pub(super) fn cells_of(point: GeoPoint) -> Vec<u64> {
    match LatLng::new(point.lat(), point.lng()) {
        Ok(at) => RESOLUTIONS.iter().map(|resolution| u64::from(at.to_cell(*resolution))).collect(),
        // A GeoPoint is valid by construction; an invalid one is simply not located.
        Err(_) => Vec::new(),
    }
}

/// The cells whose union covers the circle of `radius_km` around `center`, at the finest
/// resolution that needs at most [`MAX_RINGS`] rings; `None` when even the coarsest would need
/// more (a radius of many hundred km), and the distance check alone decides.
pub(super) fn covering(center: GeoPoint, radius_km: f64) -> Option<Vec<u64>> {
    let at = LatLng::new(center.lat(), center.lng()).ok()?;
    RESOLUTIONS.iter().rev().find_map(|resolution| {
        let rings = rings_for(*resolution, radius_km)?;
        let disk: Vec<CellIndex> = at.to_cell(*resolution).grid_disk(rings);
        Some(disk.into_iter().map(u64::from).collect())
    })
}

/// How many rings of cells at `resolution` cover a circle of `radius_km`, if at most
/// [`MAX_RINGS`]. A point within the radius lies in a cell whose centre is within
/// `radius + edge` of the centre cell's centre (the centre is within an edge of it too, so
/// `radius + 2·edge` between centres); the nearest cells of ring k are at least `1.5·k·edge`
/// away, so `k > (radius + 2·edge) / (1.5·edge)` rings suffice.
fn rings_for(resolution: Resolution, radius_km: f64) -> Option<u32> {
    let edge = resolution.edge_length_km() * EDGE_MARGIN;
    let rings = ((radius_km.max(0.0) + 2.0 * edge) / (1.5 * edge)).floor() + 2.0;
    (rings <= f64::from(MAX_RINGS)).then(|| {
        // A whole number in 2..=12 here.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rings = rings as u32;
        rings
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint::new(lat, lng).unwrap_or_else(|error| panic!("{error}"))
    }

    /// A point `distance_km` from `center` towards `bearing` (radians), on a sphere.
    fn towards(center: GeoPoint, distance_km: f64, bearing: f64) -> (f64, f64) {
        let angular = distance_km / 6371.0088;
        let (lat1, lng1) = (center.lat().to_radians(), center.lng().to_radians());
        let lat2 = (lat1.sin() * angular.cos() + lat1.cos() * angular.sin() * bearing.cos()).asin();
        let lng2 = lng1
            + (bearing.sin() * angular.sin() * lat1.cos()).atan2(angular.cos() - lat1.sin() * lat2.sin());
        (lat2.to_degrees(), lng2.to_degrees())
    }

    #[test]
    fn the_disk_covers_every_point_within_the_radius() {
        let centres = [point(37.5665, 126.978), point(35.1796, 129.0756), point(33.4996, 126.5312)];
        for center in centres {
            for radius in [0.3, 1.0, 2.5, 5.0, 10.0, 30.0, 80.0, 250.0] {
                let cover = covering(center, radius).unwrap_or_default();
                assert!(!cover.is_empty(), "{radius} km has a covering");
                for step in 0..72 {
                    let bearing = f64::from(step) * 5.0_f64.to_radians();
                    for fraction in [0.25, 0.5, 0.75, 0.999] {
                        let (lat, lng) = towards(center, radius * fraction, bearing);
                        let listing = point(lat, lng);
                        // The privacy grid moves a point by up to ~80 m: only test points that
                        // are still inside once rounded.
                        if listing.distance_km(center) > radius {
                            continue;
                        }
                        let cells = cells_of(listing);
                        assert!(
                            cells.iter().any(|cell| cover.contains(cell)),
                            "{radius} km, bearing {step}, fraction {fraction}: not covered"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn huge_radii_skip_the_prefilter() {
        assert_eq!(covering(point(37.5, 127.0), 5_000.0), None);
        assert!(covering(point(37.5, 127.0), 0.0).is_some());
    }

    #[test]
    fn a_listing_has_one_cell_per_resolution() {
        assert_eq!(cells_of(point(37.5665, 126.978)).len(), RESOLUTIONS.len());
    }
}
