//! Public places where a buyer and a seller can meet in person (`GET /v1/meeting-places`): the
//! bundled places (`data/meeting_places.csv`, built by `data/build.py` from public data; sources
//! in `data/README.md`) nearest the point halfway between the two.

use serde::Serialize;

use crate::{GeoError, LatLng, great_circle_midpoint, haversine_km};

const PLACES_CSV: &str = include_str!("../data/meeting_places.csv");
const PLACES_HEADER: &str = "kind,name,lat,lng,source";

/// What a meeting place is. The bundled data holds subway stations only so far: no public
/// dataset of police stations or community centres with coordinates was found (see
/// `data/README.md`); the kinds are here for when one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    SubwayStation,
    PoliceStation,
    CommunityCentre,
}

impl PlaceKind {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "subway_station" => Some(Self::SubwayStation),
            "police_station" => Some(Self::PoliceStation),
            "community_centre" => Some(Self::CommunityCentre),
            _ => None,
        }
    }
}

/// One bundled public place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub kind: PlaceKind,
    /// e.g. "강남역 (서울 도시철도 2호선)".
    pub name: String,
    pub location: LatLng,
    /// The dataset it comes from.
    pub source: String,
}

/// A place recommended to two parties, with how far each would go.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeetingPlace {
    pub kind: PlaceKind,
    pub name: String,
    pub location: LatLng,
    pub distance_from_a_km: f64,
    pub distance_from_b_km: f64,
}

impl MeetingPlace {
    /// The longer of the two trips: what the recommendation minimises.
    pub fn farther_km(&self) -> f64 {
        self.distance_from_a_km.max(self.distance_from_b_km)
    }
}

#[derive(Debug)]
pub struct MeetingPlaces {
    places: Vec<Place>,
}

impl MeetingPlaces {
    /// Parses the bundled places; build it once and share it.
    pub fn bundled() -> Result<Self, GeoError> {
        parse_places(PLACES_CSV).map(|places| Self { places })
    }

    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// Up to `limit` places nearest the great-circle midpoint of `a` and `b`, fairest first:
    /// sorted by the longer of the two parties' distances, then the shorter, then by name.
    pub fn between(&self, a: LatLng, b: LatLng, limit: usize) -> Vec<MeetingPlace> {
        let middle = great_circle_midpoint(a, b);
        let mut nearest: Vec<(f64, &Place)> =
            self.places.iter().map(|place| (haversine_km(middle, place.location), place)).collect();
        nearest.sort_by(|(x, place_x), (y, place_y)| {
            x.total_cmp(y).then_with(|| place_x.name.cmp(&place_y.name))
        });
        let mut chosen: Vec<MeetingPlace> = nearest
            .into_iter()
            .take(limit)
            .map(|(_, place)| MeetingPlace {
                kind: place.kind,
                name: place.name.clone(),
                location: place.location,
                distance_from_a_km: haversine_km(a, place.location),
                distance_from_b_km: haversine_km(b, place.location),
            })
            .collect();
        chosen.sort_by(|x, y| {
            x.farther_km()
                .total_cmp(&y.farther_km())
                .then_with(|| {
                    x.distance_from_a_km
                        .min(x.distance_from_b_km)
                        .total_cmp(&y.distance_from_a_km.min(y.distance_from_b_km))
                })
                .then_with(|| x.name.cmp(&y.name))
        });
        chosen
    }
}

fn parse_places(csv: &'static str) -> Result<Vec<Place>, GeoError> {
    let file = "meeting_places.csv";
    let mut lines = csv.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header == PLACES_HEADER => {}
        _ => {
            return Err(GeoError::BundledData {
                file,
                line: 1,
                reason: format!("the header is not `{PLACES_HEADER}`"),
            });
        }
    }
    lines
        .map(|(index, line)| {
            let bad = |reason: String| GeoError::BundledData { file, line: index + 1, reason };
            let fields: Vec<&str> = line.split(',').collect();
            let [kind, name, lat, lng, source] = fields[..] else {
                return Err(bad(format!("{} fields, expected 5", fields.len())));
            };
            let kind = PlaceKind::parse(kind).ok_or_else(|| bad(format!("unknown kind `{kind}`")))?;
            let number = |text: &str| text.parse::<f64>().map_err(|error| bad(format!("`{text}`: {error}")));
            let location = LatLng::new(number(lat)?, number(lng)?).map_err(|error| bad(error.to_string()))?;
            Ok(Place { kind, name: name.to_owned(), location, source: source.to_owned() })
        })
        .collect()
}
