//! The embedded profile's geocoder: the 3,504 행정동 of Statistics Korea's 2018 boundaries
//! (`data/dong.csv`, built by `data/build.py`; sources in `data/README.md`), compiled in and
//! parsed once. A point belongs to the 동 whose centroid is nearest, unless that centroid is
//! farther than the 동's radius plus [`AREA_MARGIN_KM`]: then it is in no 동 (the sea, abroad).
//!
//! Nearest-centroid is an approximation of the boundary: it names the 동 a point really lies in
//! about four times in five (points drawn uniformly inside the boundaries), and near a border it
//! may name the neighbour. 동네 인증 is therefore decided by [`crate::verify_within`] against the
//! 동 the member claims, never by comparing names.

use async_trait::async_trait;

use crate::{AREA_MARGIN_KM, DongCode, GeoError, Geocoder, LatLng, Neighbourhood, haversine_km};

const DONG_CSV: &str = include_str!("../data/dong.csv");
const DONG_HEADER: &str = "adm_code,sido,sigungu,dong,lat,lng,radius_km";

/// The side of a grid cell, in degrees of latitude and of longitude.
const CELL_DEG: f64 = 0.05;
/// Kilometres per degree of latitude (and of longitude at the equator) on the mean sphere.
const KM_PER_DEG: f64 = 111.195;

#[derive(Debug)]
pub struct BundledGeocoder {
    dongs: Vec<Neighbourhood>,
    grid: Grid,
    /// The farthest any point can be from a centre and still be within its 동.
    reach_km: f64,
    /// Centres' bounding box grown by `reach_km`: outside it, no point is in any 동.
    bounds: (LatLng, LatLng),
    /// The shortest side of a cell anywhere within `bounds`, in km.
    cell_km: f64,
}

/// A dense grid of `CELL_DEG` cells over `bounds`, each listing the 동 whose centre lies in it
/// (compressed rows: cell `i` holds `items[starts[i]..starts[i + 1]]`).
#[derive(Debug)]
struct Grid {
    first_row: i32,
    first_column: i32,
    rows: i32,
    columns: i32,
    starts: Vec<usize>,
    items: Vec<usize>,
}

impl Grid {
    fn cell(&self, row: i32, column: i32) -> &[usize] {
        let (row, column) = (row - self.first_row, column - self.first_column);
        if row < 0 || column < 0 || row >= self.rows || column >= self.columns {
            return &[];
        }
        // Both are non-negative and within the grid here.
        #[allow(clippy::cast_sign_loss, reason = "checked non-negative above")]
        let index = (row * self.columns + column) as usize;
        &self.items[self.starts[index]..self.starts[index + 1]]
    }
}

fn cell_of(point: LatLng) -> (i32, i32) {
    // Coordinates are validated (|lat| ≤ 90, |lng| ≤ 180), so the cells fit an i32 easily.
    #[allow(clippy::cast_possible_truncation, reason = "bounded by validated coordinates")]
    let cell = ((point.lat / CELL_DEG).floor() as i32, (point.lng / CELL_DEG).floor() as i32);
    cell
}

impl BundledGeocoder {
    /// Parses the bundled table; build it once and share it.
    pub fn new() -> Result<Self, GeoError> {
        let dongs = parse_dongs(DONG_CSV)?;
        let max_radius = dongs.iter().filter_map(|dong| dong.radius_km).fold(0.0, f64::max);
        let reach_km = max_radius + AREA_MARGIN_KM;
        let pad = reach_km / KM_PER_DEG;
        let (mut low, mut high) = (LatLng { lat: 90.0, lng: 180.0 }, LatLng { lat: -90.0, lng: -180.0 });
        for dong in &dongs {
            low = LatLng { lat: low.lat.min(dong.centre.lat), lng: low.lng.min(dong.centre.lng) };
            high = LatLng { lat: high.lat.max(dong.centre.lat), lng: high.lng.max(dong.centre.lng) };
        }
        // Longitude padding is wider than latitude padding by 1 / cos(latitude).
        let widest = (low.lat.abs().max(high.lat.abs()) + pad).min(89.0).to_radians().cos();
        let bounds = (
            LatLng { lat: (low.lat - pad).max(-90.0), lng: (low.lng - pad / widest).max(-180.0) },
            LatLng { lat: (high.lat + pad).min(90.0), lng: (high.lng + pad / widest).min(180.0) },
        );
        let grid = Grid::of(&dongs, bounds);
        let cell_km = CELL_DEG * KM_PER_DEG * widest;
        Ok(Self { dongs, grid, reach_km, bounds, cell_km })
    }

    /// Every 동 of the table, in code order.
    pub fn neighbourhoods(&self) -> &[Neighbourhood] {
        &self.dongs
    }

    /// The 동 by its KOSTAT code (e.g. "1123064").
    pub fn by_code(&self, code: &str) -> Option<&Neighbourhood> {
        self.dongs.iter().find(|dong| matches!(&dong.code, DongCode::Kostat(own) if own == code))
    }

    /// The 동 by its names, as another geocoder (Kakao) spells them. Names follow the 2018
    /// boundaries: a 동 renamed, split or merged since (and 강원특별자치도, 전북특별자치도) is
    /// not found under its new name.
    pub fn by_name(&self, sido: &str, sigungu: &str, dong: &str) -> Option<&Neighbourhood> {
        self.dongs.iter().find(|own| own.sido == sido && own.sigungu == sigungu && own.dong == dong)
    }

    /// The 동 whose centre is nearest `point`, and how far that centre is, among the centres
    /// near enough for `point` to lie within their 동.
    pub fn nearest(&self, point: LatLng) -> Option<(&Neighbourhood, f64)> {
        let (low, high) = self.bounds;
        if point.lat < low.lat || point.lat > high.lat || point.lng < low.lng || point.lng > high.lng {
            return None;
        }
        let (row, column) = cell_of(point);
        let mut best: Option<(usize, f64)> = None;
        let mut ring: i32 = 0;
        loop {
            for (d_row, d_column) in ring_cells(ring) {
                for &index in self.grid.cell(row + d_row, column + d_column) {
                    let distance = haversine_km(point, self.dongs[index].centre);
                    if best.is_none_or(|(_, nearest)| distance < nearest) {
                        best = Some((index, distance));
                    }
                }
            }
            // Every cell beyond this ring is at least `ring` whole cells away.
            let beyond = f64::from(ring) * self.cell_km;
            if best.is_some_and(|(_, nearest)| nearest <= beyond) || beyond > self.reach_km {
                break;
            }
            ring += 1;
        }
        best.filter(|(_, distance)| *distance <= self.reach_km)
            .map(|(index, distance)| (&self.dongs[index], distance))
    }

    /// The 동 `point` lies in, or `None` for the sea and abroad.
    pub fn locate(&self, point: LatLng) -> Option<&Neighbourhood> {
        self.nearest(point)
            .filter(|(dong, distance)| {
                dong.radius_km.is_some_and(|radius| *distance <= radius + AREA_MARGIN_KM)
            })
            .map(|(dong, _)| dong)
    }
}

impl Grid {
    fn of(dongs: &[Neighbourhood], (low, high): (LatLng, LatLng)) -> Self {
        let (first_row, first_column) = cell_of(low);
        let (last_row, last_column) = cell_of(high);
        let (rows, columns) = (last_row - first_row + 1, last_column - first_column + 1);
        let mut cells: Vec<Vec<usize>> = (0..rows * columns).map(|_| Vec::new()).collect();
        for (index, dong) in dongs.iter().enumerate() {
            let (row, column) = cell_of(dong.centre);
            // Every centre lies within `bounds`, so its offsets are non-negative and in range.
            #[allow(clippy::cast_sign_loss, reason = "centres lie within the bounds")]
            cells[((row - first_row) * columns + (column - first_column)) as usize].push(index);
        }
        let mut starts = Vec::with_capacity(cells.len() + 1);
        let mut items = Vec::with_capacity(dongs.len());
        for cell in cells {
            starts.push(items.len());
            items.extend(cell);
        }
        starts.push(items.len());
        Self { first_row, first_column, rows, columns, starts, items }
    }
}

/// The offsets of the cells at Chebyshev distance `ring` from a cell: its top and bottom rows
/// whole, and the two end cells of each row between.
fn ring_cells(ring: i32) -> impl Iterator<Item = (i32, i32)> {
    (-ring..=ring).flat_map(move |d_row| {
        let edge = d_row.abs() == ring;
        let (step, first) = if edge || ring == 0 { (1, -ring) } else { (2 * ring, -ring) };
        (0..)
            .map(move |k| first + k * step)
            .take_while(move |d_column| *d_column <= ring)
            .map(move |d_column| (d_row, d_column))
    })
}

#[async_trait]
impl Geocoder for BundledGeocoder {
    async fn neighbourhood_of(&self, lat: f64, lng: f64) -> Result<Option<Neighbourhood>, GeoError> {
        Ok(self.locate(LatLng::new(lat, lng)?).cloned())
    }
}

fn parse_dongs(csv: &'static str) -> Result<Vec<Neighbourhood>, GeoError> {
    let file = "dong.csv";
    let mut lines = csv.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header == DONG_HEADER => {}
        _ => {
            return Err(GeoError::BundledData {
                file,
                line: 1,
                reason: format!("the header is not `{DONG_HEADER}`"),
            });
        }
    }
    lines
        .map(|(index, line)| {
            let bad = |reason: String| GeoError::BundledData { file, line: index + 1, reason };
            let fields: Vec<&str> = line.split(',').collect();
            let [code, sido, sigungu, dong, lat, lng, radius] = fields[..] else {
                return Err(bad(format!("{} fields, expected 7", fields.len())));
            };
            let number = |text: &str| text.parse::<f64>().map_err(|error| bad(format!("`{text}`: {error}")));
            let centre = LatLng::new(number(lat)?, number(lng)?).map_err(|error| bad(error.to_string()))?;
            let radius = number(radius)?;
            if !(radius.is_finite() && radius >= 0.0) {
                return Err(bad(format!("radius {radius}")));
            }
            Ok(Neighbourhood {
                code: DongCode::Kostat(code.to_owned()),
                sido: sido.to_owned(),
                sigungu: sigungu.to_owned(),
                dong: dong.to_owned(),
                centre,
                radius_km: Some(radius),
            })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests state expectations with unwrap")]
mod tests {
    use super::*;

    #[test]
    fn rings_hold_the_cells_at_that_distance() {
        assert_eq!(ring_cells(0).collect::<Vec<_>>(), [(0, 0)]);
        assert_eq!(ring_cells(1).count(), 8);
        assert_eq!(ring_cells(2).count(), 16);
        assert!(ring_cells(2).all(|(row, column)| row.abs().max(column.abs()) == 2));
    }

    #[test]
    fn the_grid_search_finds_the_same_centre_as_a_full_scan() {
        let geocoder = BundledGeocoder::new().unwrap();
        for step in 0..400 {
            let point =
                LatLng { lat: 33.0 + f64::from(step % 20) * 0.3, lng: 125.0 + f64::from(step / 20) * 0.25 };
            let scanned = geocoder
                .dongs
                .iter()
                .map(|dong| (dong, haversine_km(point, dong.centre)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .filter(|(_, distance)| *distance <= geocoder.reach_km);
            let found = geocoder.nearest(point);
            assert_eq!(found.map(|(dong, _)| &dong.code), scanned.map(|(dong, _)| &dong.code), "{point:?}");
        }
    }
}
