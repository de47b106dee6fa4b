//! The bundled 행정동 table, 동네 인증's area check and the meeting places, on the data shipped
//! in `data/`.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use jangteo_geo::{
    DongCode, GeoError, Geocoder, LatLng, bundled::BundledGeocoder, meeting_places::MeetingPlaces,
    meeting_places::PlaceKind, verify_within,
};

const GANGNAM_STATION: (f64, f64) = (37.4979, 127.0276);
const SEOUL_CITY_HALL: (f64, f64) = (37.5663, 126.9779);

fn point((lat, lng): (f64, f64)) -> LatLng {
    LatLng::new(lat, lng).unwrap()
}

#[test]
fn the_table_holds_every_dong_of_the_2018_boundaries() {
    let geocoder = BundledGeocoder::new().unwrap();
    assert_eq!(geocoder.neighbourhoods().len(), 3504);
    let yeoksam = geocoder.by_code("1123064").unwrap();
    assert_eq!(
        (yeoksam.sido.as_str(), yeoksam.sigungu.as_str(), yeoksam.dong.as_str()),
        ("서울특별시", "강남구", "역삼1동")
    );
    let suwon = geocoder.by_name("경기도", "수원시 장안구", "파장동").unwrap();
    assert!(matches!(&suwon.code, DongCode::Kostat(code) if code.starts_with("31011")));
}

// 강남역 sits on 강남대로, the border of 서초구 and 강남구. The 2018 boundary puts the point in
// 서초2동, whose centroid is 1.01 km away; 서초4동's is 0.70 km and 역삼1동's 0.77 km away, so
// nearest-centroid answers 서초4동. The 인증 check accepts the 동 the point really lies in.
#[tokio::test]
async fn gangnam_station_resolves_to_the_nearest_dong_centroid() {
    let geocoder = BundledGeocoder::new().unwrap();
    let dong = geocoder.neighbourhood_of(GANGNAM_STATION.0, GANGNAM_STATION.1).await.unwrap().unwrap();
    assert_eq!(dong.full_name(), "서울특별시 서초구 서초4동");
    assert_eq!(dong.code, DongCode::Kostat("1122054".to_owned()));
    let seocho_2 = geocoder.by_name("서울특별시", "서초구", "서초2동").unwrap();
    assert!(verify_within(seocho_2, GANGNAM_STATION.0, GANGNAM_STATION.1));
}

// The city hall (세종대로 110, 태평로1가) lies in 명동 by the boundary; 소공동's centroid is the
// nearer (0.39 km against 0.64 km).
#[tokio::test]
async fn seoul_city_hall_resolves_to_the_nearest_dong_centroid() {
    let geocoder = BundledGeocoder::new().unwrap();
    let dong = geocoder.neighbourhood_of(SEOUL_CITY_HALL.0, SEOUL_CITY_HALL.1).await.unwrap().unwrap();
    assert_eq!(dong.full_name(), "서울특별시 중구 소공동");
    let myeong_dong = geocoder.by_name("서울특별시", "중구", "명동").unwrap();
    assert!(verify_within(myeong_dong, SEOUL_CITY_HALL.0, SEOUL_CITY_HALL.1));
}

// A 동 of many islands has a wide circle: 울릉읍 reaches 독도, 90 km out, so the sea between them
// counts as 울릉읍; the points here are beyond every circle.
#[tokio::test]
async fn the_sea_and_abroad_are_in_no_dong() {
    let geocoder = BundledGeocoder::new().unwrap();
    for (lat, lng) in [(36.0, 124.0), (35.0, 135.0), (0.0, 0.0), (-89.9, 179.9), (38.5, 133.0), (39.5, 125.5)]
    {
        assert_eq!(geocoder.neighbourhood_of(lat, lng).await.unwrap(), None, "({lat}, {lng})");
    }
}

#[tokio::test]
async fn coordinates_off_the_earth_are_refused() {
    let geocoder = BundledGeocoder::new().unwrap();
    for (lat, lng) in [(f64::NAN, 127.0), (37.5, f64::INFINITY), (91.0, 127.0), (37.5, -180.5)] {
        assert!(matches!(
            geocoder.neighbourhood_of(lat, lng).await,
            Err(GeoError::InvalidCoordinates { .. })
        ));
    }
}

#[tokio::test]
async fn every_dong_centre_resolves_to_its_own_dong() {
    let geocoder = BundledGeocoder::new().unwrap();
    for dong in geocoder.neighbourhoods() {
        let found = geocoder.locate(dong.centre).unwrap();
        // Two 동 can share a centroid only if one encloses the other's; none does here.
        assert_eq!(found.code, dong.code, "{}", dong.full_name());
    }
}

#[test]
fn verification_needs_the_point_within_the_dong_radius() {
    let geocoder = BundledGeocoder::new().unwrap();
    let seocho_4 = geocoder.by_code("1122054").unwrap();
    assert!(verify_within(seocho_4, GANGNAM_STATION.0, GANGNAM_STATION.1));
    assert!(verify_within(seocho_4, seocho_4.centre.lat, seocho_4.centre.lng));
    assert!(!verify_within(seocho_4, SEOUL_CITY_HALL.0, SEOUL_CITY_HALL.1));
    assert!(!verify_within(seocho_4, f64::NAN, 127.0));
    let mut unknown_area = seocho_4.clone();
    unknown_area.radius_km = None;
    assert!(!verify_within(&unknown_area, GANGNAM_STATION.0, GANGNAM_STATION.1));
}

#[test]
fn meeting_places_between_two_seoul_points_are_subway_stations_fairest_first() {
    let places = MeetingPlaces::bundled().unwrap();
    let (a, b) = (point(GANGNAM_STATION), point(SEOUL_CITY_HALL));
    let chosen = places.between(a, b, 5);
    assert_eq!(chosen.len(), 5);
    assert!(chosen.iter().any(|place| place.kind == PlaceKind::SubwayStation));
    let apart = a.distance_km(b);
    for place in &chosen {
        assert!((place.distance_from_a_km - a.distance_km(place.location)).abs() < 1e-9);
        assert!((place.distance_from_b_km - b.distance_km(place.location)).abs() < 1e-9);
        // Near the midpoint: nobody goes much beyond half the way.
        assert!(place.farther_km() < apart / 2.0 + 2.0, "{} at {} km", place.name, place.farther_km());
    }
    assert!(chosen.windows(2).all(|pair| pair[0].farther_km() <= pair[1].farther_km()));
}

#[test]
fn two_parties_at_one_station_meet_there() {
    let places = MeetingPlaces::bundled().unwrap();
    let station = places.places().iter().find(|place| place.name.starts_with("강남역")).unwrap();
    let chosen = places.between(station.location, station.location, 3);
    assert_eq!(chosen[0].name, station.name);
    assert!(chosen[0].farther_km() < 1e-9);
}

#[test]
fn no_places_are_asked_for_none_are_given() {
    let places = MeetingPlaces::bundled().unwrap();
    assert!(places.between(point(GANGNAM_STATION), point(SEOUL_CITY_HALL), 0).is_empty());
    assert_eq!(
        places.between(point(GANGNAM_STATION), point(SEOUL_CITY_HALL), 10_000).len(),
        places.places().len()
    );
}
