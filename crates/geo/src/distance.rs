//! Distances and midpoints on a sphere of the Earth's mean radius: exact enough for "how far
//! is the station" (the ellipsoid differs by under 0.5 %).

use crate::LatLng;

/// The IUGG mean Earth radius.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// The great-circle distance between two points, in km.
pub fn haversine_km(a: LatLng, b: LatLng) -> f64 {
    let (lat_a, lat_b) = (a.lat.to_radians(), b.lat.to_radians());
    let half_dlat = (lat_b - lat_a) / 2.0;
    let half_dlng = (b.lng - a.lng).to_radians() / 2.0;
    let h = half_dlat.sin().powi(2) + lat_a.cos() * lat_b.cos() * half_dlng.sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The point halfway along the great circle from `a` to `b`.
pub fn great_circle_midpoint(a: LatLng, b: LatLng) -> LatLng {
    let (lat_a, lat_b) = (a.lat.to_radians(), b.lat.to_radians());
    let lng_a = a.lng.to_radians();
    let dlng = (b.lng - a.lng).to_radians();
    let bx = lat_b.cos() * dlng.cos();
    let by = lat_b.cos() * dlng.sin();
    let lat = (lat_a.sin() + lat_b.sin()).atan2(((lat_a.cos() + bx).powi(2) + by.powi(2)).sqrt());
    let lng = lng_a + by.atan2(lat_a.cos() + bx);
    // Normalised to [-180°, 180°), so the result is always a valid `LatLng`.
    let lng = (lng.to_degrees() + 540.0).rem_euclid(360.0) - 180.0;
    LatLng { lat: lat.to_degrees(), lng }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lng: f64) -> LatLng {
        LatLng { lat, lng }
    }

    #[test]
    fn seoul_to_busan_is_about_325_km() {
        let distance = haversine_km(point(37.5663, 126.9779), point(35.1796, 129.0756));
        assert!((distance - 325.0).abs() < 5.0, "{distance}");
    }

    #[test]
    fn a_point_is_no_distance_from_itself() {
        assert!(haversine_km(point(37.5, 127.0), point(37.5, 127.0)).abs() < 1e-9);
    }

    #[test]
    fn the_midpoint_is_equally_far_from_both_ends() {
        let (a, b) = (point(37.5663, 126.9779), point(37.4979, 127.0276));
        let middle = great_circle_midpoint(a, b);
        let (to_a, to_b) = (haversine_km(middle, a), haversine_km(middle, b));
        assert!((to_a - to_b).abs() < 1e-6, "{to_a} {to_b}");
        assert!((to_a + to_b - haversine_km(a, b)).abs() < 1e-6);
    }
}
