//! Search over a million listings: the embedded tantivy index's build rate, and the latency of
//! its searches and suggestions, beside a plain tantivy index measured in the same run.
//!
//! N listings (`JANGTEO_BENCH_LISTINGS`, default 1,000,000) are generated from a fixed seed —
//! Korean titles of brands and models, conditions and compounds, descriptions, prices, leaf
//! categories of the default tree, places around Korean cities, mostly on sale — and committed
//! to `TantivyListingSearch` in batches through `ListingSearch::commit`, as the search
//! projection does. Then one client asks, `JANGTEO_BENCH_QUERIES` times each (default 3,000):
//! text only; text + a parent category's leaves + a price range + a 3–10 km radius (the
//! headline); the same closest first; and `suggest` of keystroke prefixes, after a search
//! history has been recorded.
//!
//! The reference, in the same run: a tantivy index of the same titles with tantivy's default
//! tokenizer, searched with its `QueryParser` (every word required) for the same texts, the
//! first 20 stored hits read: no Korean analysis, no filters, no ranking factor.
//!
//! With `JANGTEO_BENCH_ELASTICSEARCH_URL`, the same seeding (`JANGTEO_BENCH_ES_LISTINGS`,
//! default 100,000) and queries run against the Elasticsearch adapter, its analyzer from
//! `JANGTEO_ELASTICSEARCH_ANALYZER` (`nori`, or `cjk` for the OpenSearch stand-in).
//!
//! `cargo bench -p jangteo-benches --bench search_million` (docs/performance.md). With
//! `JANGTEO_BENCH_INDEX_DIR`, the adapter's index is kept there, and a later run of the same
//! size searches it again without seeding (for profiling the queries).

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "benchmark set-up")]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    reason = "counts, shares and coordinates far inside every type's range"
)]

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use jangteo_benches::report_to;
use jangteo_domain::{AccountId, CategoryId, ListingId, Money, listing::GeoPoint};
use jangteo_read_models::{
    ListingDocument, ListingSearch, ListingStatusView, Nearby, SearchQuery, SearchSort,
    elasticsearch::{ElasticsearchListingSearch, TextAnalyzer},
    tantivy_search::TantivyListingSearch,
};
use tantivy::{
    IndexReader, ReloadPolicy, TantivyDocument,
    collector::{Count, TopDocs},
    query::QueryParser,
    schema::{Field, STORED, Schema, TEXT},
};
use uuid::Uuid;

/// Listings per `commit`: the size of a projection batch catching up.
const BATCH: usize = 10_000;
/// Queries of each kind run once before the measured ones (mmap pages, caches).
const WARM_UP: usize = 200;
/// "Now" for the generated listings: they were listed over the 90 days before it.
const LISTED_UNTIL: i64 = 1_796_083_200; // 2026-12-01T00:00:00Z
const LISTED_OVER_SECONDS: i64 = 90 * 86_400;
const SELLERS: u128 = 50_000;
const PAGE: usize = 20;

// ---------------------------------------------------------------------------------------------
// A deterministic generator: every run, and the reference index, see the same listings.

/// SplitMix64 (Steele, Lea, Flood 2014): fast, well mixed, and no dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index into `weights`, each drawn in proportion to its weight.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut left = self.below(total as usize) as u32;
        for (at, weight) in weights.iter().enumerate() {
            if left < *weight {
                return at;
            }
            left -= weight;
        }
        weights.len() - 1
    }
}

// ---------------------------------------------------------------------------------------------
// The catalogue listings are drawn from.

/// A kind of thing people sell: its leaf category (of `crates/app/src/category_seed.rs`), how
/// sellers name it, what they add, what it sells for, and how common it is.
struct Family {
    category: &'static str,
    models: &'static [&'static str],
    extras: &'static [&'static str],
    /// Typical asking prices, in won.
    price: (i64, i64),
    weight: u32,
}

const fn family(
    category: &'static str,
    models: &'static [&'static str],
    extras: &'static [&'static str],
    price: (i64, i64),
    weight: u32,
) -> Family {
    Family { category, models, extras, price, weight }
}

#[rustfmt::skip]
const FAMILIES: &[Family] = &[
    family("iphone", &["아이폰 15 프로", "아이폰 15 프로맥스", "아이폰 15", "아이폰 14 프로", "아이폰 14", "아이폰 13 미니", "아이폰 13", "아이폰 12 프로", "아이폰 SE 3세대", "아이폰15프로", "iPhone 15 Pro", "iPhone 14"],
        &["128GB", "256GB", "512GB", "블랙", "화이트", "블루 티타늄", "내추럴 티타늄", "배터리 효율 90%", "자급제"], (250_000, 1_600_000), 10),
    family("galaxy-phones", &["갤럭시 S24 울트라", "갤럭시 S24", "갤럭시 S23", "갤럭시 Z 플립5", "갤럭시 Z 폴드5", "갤럭시 A54", "갤럭시S22", "Galaxy S24"],
        &["256GB", "512GB", "팬텀블랙", "크림", "자급제", "케이스 포함"], (150_000, 1_500_000), 8),
    family("other-phones", &["샤오미 레드미 노트13", "LG 벨벳", "구글 픽셀 8 프로"], &["128GB", "공기계"], (50_000, 600_000), 1),
    family("ipad", &["아이패드 프로 11", "아이패드 프로 12.9", "아이패드 에어 5", "아이패드 미니 6", "아이패드 10세대"],
        &["64GB", "256GB", "와이파이", "셀룰러", "애플펜슬 포함"], (250_000, 1_500_000), 5),
    family("galaxy-tabs", &["갤럭시탭 S9", "갤럭시탭 S8 울트라", "갤탭 S7 FE"], &["128GB", "와이파이", "S펜 포함"], (200_000, 1_000_000), 3),
    family("macbook", &["맥북 에어 M2", "맥북 에어 M1", "맥북 프로 14 M3", "맥북 프로 16", "맥북에어 M3", "MacBook Air"],
        &["8GB 256GB", "16GB 512GB", "스페이스그레이", "실버", "미드나이트", "배터리 사이클 50회"], (500_000, 3_000_000), 6),
    family("windows-laptops", &["LG 그램 16", "삼성 갤럭시북3 프로", "레노버 씽크패드", "ASUS 게이밍 노트북"], &["16GB", "RTX 4060", "i7"], (300_000, 2_000_000), 4),
    family("monitors", &["LG 울트라기어 27인치 모니터", "삼성 오디세이 G7", "델 24인치 모니터", "QHD 모니터 32인치"], &["165Hz", "4K", "피벗 스탠드"], (80_000, 700_000), 3),
    family("pc-parts", &["RTX 4070 그래픽카드", "라이젠 7800X3D", "DDR5 32GB 램"], &["AS 남음"], (50_000, 900_000), 3),
    family("desktop-pcs", &["게이밍 컴퓨터 본체", "사무용 데스크탑"], &["i5", "RTX 3060"], (200_000, 2_000_000), 2),
    family("earphones", &["에어팟 프로 2세대", "에어팟 3세대", "에어팟 맥스", "갤럭시 버즈2 프로", "소니 WH-1000XM5 헤드폰", "보스 QC45"],
        &["C타입", "케이스 포함", "한쪽만"], (50_000, 600_000), 7),
    family("speakers", &["마샬 엠버튼", "JBL 플립6", "보스 사운드링크"], &["블랙", "크림"], (50_000, 400_000), 2),
    family("wearables", &["애플워치 9", "애플 워치 SE 2세대", "애플워치 울트라2", "갤럭시 워치6 클래식", "샤오미 미밴드8"], &["45mm", "41mm", "GPS", "셀룰러"], (30_000, 900_000), 4),
    family("digital-cameras", &["소니 A7M4 바디", "캐논 EOS R6", "후지필름 X100V", "고프로 히어로12"], &["렌즈 포함", "배터리 2개"], (300_000, 3_000_000), 2),
    family("film-cameras", &["니콘 FM2 필름카메라", "올림푸스 뮤2", "캐논 AE-1"], &[], (100_000, 600_000), 1),
    family("vacuums", &["다이슨 청소기 V15", "다이슨 V12 무선청소기", "다이슨 V10", "LG 코드제로 A9", "삼성 비스포크 제트"], &["헤드 추가", "거치대 포함", "배터리 교체"], (100_000, 900_000), 5),
    family("robot-vacuums", &["로보락 S8 로봇청소기", "에코백스 디봇", "삼성 비스포크 봇"], &[], (200_000, 1_200_000), 2),
    family("kitchen-appliances", &["에어프라이어", "네스프레소 커피머신", "드롱기 전자동 커피머신", "전자레인지", "쿠쿠 밥솥"], &[], (20_000, 600_000), 4),
    family("air-conditioners", &["창문형 에어컨", "LG 휘센 벽걸이 에어컨"], &[], (150_000, 900_000), 1),
    family("fans", &["다이슨 선풍기", "보국 서큘레이터", "BLDC 선풍기"], &[], (20_000, 400_000), 2),
    family("heaters", &["전기히터", "라디에이터 난로"], &[], (20_000, 200_000), 1),
    family("beauty-appliances", &["다이슨 에어랩", "다이슨 드라이기", "고데기"], &[], (30_000, 600_000), 2),
    family("tvs", &["LG 올레드 TV 55인치", "삼성 QLED 65인치", "빔프로젝터"], &[], (200_000, 2_500_000), 2),
    family("beds", &["퀸 침대 프레임", "시몬스 매트리스", "슈퍼싱글 침대"], &[], (50_000, 1_000_000), 2),
    family("sofas", &["3인용 소파", "가죽 소파", "리클라이너 소파"], &[], (50_000, 1_200_000), 2),
    family("desks", &["모션데스크", "원목 책상", "컴퓨터 책상"], &[], (30_000, 500_000), 2),
    family("chairs", &["시디즈 의자", "허먼밀러 에어론 의자", "사무용 의자", "게이밍 의자"], &[], (30_000, 1_200_000), 3),
    family("strollers", &["부가부 유모차", "스토케 유모차", "휴대용 유모차 요요", "절충형 유모차"], &["레인커버 포함", "풀세트"], (50_000, 1_200_000), 3),
    family("car-seats", &["브라이텍스 카시트", "다이치 카시트", "회전형 카시트"], &[], (30_000, 500_000), 2),
    family("toys", &["레고 테크닉", "레고 스타워즈", "뽀로로 장난감", "아기 체육관"], &[], (10_000, 300_000), 3),
    family("women-padding", &["노스페이스 눕시 패딩", "롱패딩", "몽클레어 패딩"], &["90", "95", "블랙"], (50_000, 1_500_000), 3),
    family("men-padding", &["노스페이스 눕시 패딩", "디스커버리 롱패딩"], &["100", "105"], (50_000, 500_000), 2),
    family("women-coats", &["캐시미어 코트", "울 코트"], &[], (50_000, 500_000), 1),
    family("men-coats", &["캐시미어 코트", "울 코트"], &[], (50_000, 500_000), 1),
    family("sneakers", &["나이키 에어포스 1", "뉴발란스 992", "조던1 하이", "아디다스 삼바"], &["260", "270", "280"], (50_000, 400_000), 4),
    family("luxury-bags", &["루이비통 네버풀", "구찌 마몬트", "샤넬 클래식 플랩", "프라다 나일론"], &["영수증 있음"], (300_000, 8_000_000), 2),
    family("backpacks", &["노스페이스 백팩", "여행용 백팩"], &[], (20_000, 200_000), 1),
    family("watches", &["롤렉스 서브마리너", "카시오 지샥", "세이코 프레사지"], &[], (50_000, 15_000_000), 1),
    family("folding-bikes", &["접이식자전거 20인치", "브롬톤 접이식 자전거", "접이식 미니벨로", "스트라이다"], &["16인치", "6단", "M6L"], (80_000, 2_500_000), 3),
    family("road-bikes", &["로드자전거 자이언트", "메리다 로드 자전거", "스페셜라이즈드 로드바이크", "카본 로드자전거"], &[], (300_000, 4_000_000), 2),
    family("mountain-bikes", &["산악자전거 MTB", "삼천리 MTB 자전거"], &[], (100_000, 1_500_000), 1),
    family("e-bikes", &["전기자전거 삼천리 팬텀", "퀄리스포츠 전기자전거", "접이식 전기자전거"], &["배터리 10Ah", "스로틀"], (300_000, 2_000_000), 2),
    family("tents", &["코베아 텐트", "스노우피크 타프", "원터치 텐트"], &[], (50_000, 1_200_000), 2),
    family("camping-chairs", &["헬리녹스 캠핑의자", "캠핑 의자 2개", "캠핑 테이블", "릴렉스 체어"], &[], (10_000, 300_000), 3),
    family("camping-cookware", &["캠핑 코펠 세트", "이소가스 버너"], &[], (10_000, 150_000), 1),
    family("golf-clubs", &["타이틀리스트 드라이버", "골프채 풀세트", "핑 아이언 세트", "캘러웨이 퍼터"], &[], (50_000, 1_500_000), 2),
    family("fitness", &["요가매트", "덤벨 세트", "실내자전거", "런닝머신"], &[], (10_000, 800_000), 2),
    family("game-consoles", &["닌텐도 스위치 OLED", "닌텐도 스위치 라이트", "플스5 디스크 에디션", "플레이스테이션5", "엑스박스 시리즈 X", "스팀덱"],
        &["조이콘 포함", "듀얼센스 2개"], (150_000, 700_000), 5),
    family("game-titles", &["젤다의 전설 왕국의 눈물", "마리오카트8", "포켓몬스터 스칼렛"], &[], (20_000, 60_000), 2),
    family("guitars", &["펜더 일렉기타", "야마하 통기타", "콜트 베이스기타"], &[], (100_000, 1_500_000), 1),
    family("keyboards", &["야마하 디지털피아노", "롤랜드 키보드"], &[], (150_000, 1_500_000), 1),
    family("figures", &["건담 프라모델 MG", "원피스 피규어"], &[], (10_000, 300_000), 1),
    family("study-books", &["토익 교재", "수능 문제집", "공무원 수험서"], &[], (3_000, 30_000), 1),
    family("comics", &["원피스 만화책 전권", "슬램덩크 완전판"], &[], (20_000, 200_000), 1),
    family("gift-cards", &["신세계 상품권", "스타벅스 기프티콘"], &[], (5_000, 100_000), 1),
    family("dog-supplies", &["강아지 유모차", "강아지 켄넬"], &[], (10_000, 200_000), 1),
    family("cat-supplies", &["고양이 캣타워", "고양이 자동화장실"], &[], (20_000, 400_000), 1),
];

const CONDITIONS: &[&str] =
    &["미개봉", "풀박스", "S급", "A급", "생활기스", "새상품", "단순개봉", "정품", "상태좋음", "리퍼", "박풀"];
const TAILS: &[&str] = &["팝니다", "판매합니다", "급처", "택포", "네고가능", "직거래"];
const PHRASES: &[&str] = &[
    "사용감 거의 없습니다.",
    "박스와 구성품 모두 있어요.",
    "생활기스 조금 있습니다.",
    "직거래 선호합니다.",
    "택배 거래 가능해요 (택배비 별도).",
    "네고 사절입니다.",
    "1년 정도 사용했습니다.",
    "선물 받았는데 쓰지 않아 팝니다.",
    "이사 가서 급하게 처분합니다.",
    "정상 작동 확인했습니다.",
    "흡연, 반려동물 없는 집입니다.",
    "문의 주시면 빠르게 답장 드려요.",
];

/// A city listings come from: its centre, how far listings spread from it, its share, and
/// neighbourhoods to name.
struct Place {
    city: &'static str,
    lat: f64,
    lng: f64,
    spread_km: f64,
    weight: u32,
    neighbourhoods: &'static [&'static str],
}

#[rustfmt::skip]
const PLACES: &[Place] = &[
    Place { city: "서울", lat: 37.5665, lng: 126.978, spread_km: 12.0, weight: 35, neighbourhoods: &["강남", "잠실", "홍대", "신촌", "성수", "목동", "노원", "건대입구"] },
    Place { city: "성남", lat: 37.3827, lng: 127.1189, spread_km: 5.0, weight: 6, neighbourhoods: &["분당", "판교", "서현"] },
    Place { city: "수원", lat: 37.2636, lng: 127.0286, spread_km: 6.0, weight: 6, neighbourhoods: &["영통", "광교", "인계동"] },
    Place { city: "고양", lat: 37.6584, lng: 126.832, spread_km: 5.0, weight: 5, neighbourhoods: &["일산", "화정", "삼송"] },
    Place { city: "용인", lat: 37.2411, lng: 127.1776, spread_km: 6.0, weight: 4, neighbourhoods: &["수지", "기흥", "죽전"] },
    Place { city: "부천", lat: 37.5034, lng: 126.766, spread_km: 4.0, weight: 3, neighbourhoods: &["중동", "상동"] },
    Place { city: "화성", lat: 37.2005, lng: 127.0986, spread_km: 4.0, weight: 3, neighbourhoods: &["동탄"] },
    Place { city: "인천", lat: 37.4563, lng: 126.7052, spread_km: 7.0, weight: 6, neighbourhoods: &["송도", "부평", "청라"] },
    Place { city: "부산", lat: 35.1796, lng: 129.0756, spread_km: 9.0, weight: 9, neighbourhoods: &["해운대", "서면", "광안리", "사하"] },
    Place { city: "대구", lat: 35.8714, lng: 128.6014, spread_km: 7.0, weight: 5, neighbourhoods: &["수성구", "동성로", "달서구"] },
    Place { city: "대전", lat: 36.3504, lng: 127.3845, spread_km: 6.0, weight: 4, neighbourhoods: &["둔산동", "유성"] },
    Place { city: "광주", lat: 35.1595, lng: 126.8526, spread_km: 6.0, weight: 3, neighbourhoods: &["상무지구", "첨단"] },
    Place { city: "울산", lat: 35.5384, lng: 129.3114, spread_km: 6.0, weight: 2, neighbourhoods: &["삼산동"] },
    Place { city: "세종", lat: 36.48, lng: 127.289, spread_km: 4.0, weight: 1, neighbourhoods: &["나성동"] },
    Place { city: "제주", lat: 33.4996, lng: 126.5312, spread_km: 8.0, weight: 1, neighbourhoods: &["노형동", "서귀포"] },
];

/// A point uniformly within `spread_km` of the place's centre.
fn near_place(rng: &mut SplitMix, place: &Place) -> GeoPoint {
    let distance = place.spread_km * rng.unit().sqrt();
    let bearing = rng.unit() * std::f64::consts::TAU;
    let lat = place.lat + distance * bearing.cos() / 111.0;
    let lng = place.lng + distance * bearing.sin() / (111.0 * place.lat.to_radians().cos());
    GeoPoint::new(lat, lng).unwrap()
}

fn round_to(won: f64, step: i64) -> i64 {
    ((won / step as f64).round() as i64).max(1) * step
}

/// The catalogue's weights, drawn from for every listing.
struct Catalogue {
    family_weights: Vec<u32>,
    place_weights: Vec<u32>,
}

impl Catalogue {
    fn new() -> Self {
        Self {
            family_weights: FAMILIES.iter().map(|family| family.weight).collect(),
            place_weights: PLACES.iter().map(|place| place.weight).collect(),
        }
    }

    /// Listing `n` of `total` (positions 1..=total, listed in that order over 90 days).
    fn listing(&self, rng: &mut SplitMix, n: usize, total: usize) -> ListingDocument {
        let family = &FAMILIES[rng.weighted(&self.family_weights)];
        let model = *rng.pick(family.models);
        let mut title = Vec::new();
        if rng.chance(0.2) {
            title.push(format!("[{}]", rng.pick(CONDITIONS)));
        }
        title.push(model.to_owned());
        if !family.extras.is_empty() && rng.chance(0.6) {
            title.push((*rng.pick(family.extras)).to_owned());
        }
        if rng.chance(0.45) {
            title.push((*rng.pick(CONDITIONS)).to_owned());
        }
        if rng.chance(0.15) {
            title.push((*rng.pick(TAILS)).to_owned());
        }
        let place = &PLACES[rng.weighted(&self.place_weights)];
        let neighbourhood = *rng.pick(place.neighbourhoods);
        let description = format!(
            "{model} 판매합니다. {} {} {neighbourhood}에서 직거래 가능합니다.",
            rng.pick(PHRASES),
            rng.pick(PHRASES)
        );
        let (low, high) = family.price;
        let price = round_to(low as f64 + (high - low) as f64 * rng.unit().powi(2), 1_000);
        let status = match rng.below(100) {
            0..85 => ListingStatusView::OnSale,
            85..90 => ListingStatusView::Reserved,
            90..98 => ListingStatusView::Sold,
            _ => ListingStatusView::Withdrawn,
        };
        let position = n as u64;
        let listed =
            LISTED_UNTIL - LISTED_OVER_SECONDS + LISTED_OVER_SECONDS * n as i64 / total.max(1) as i64;
        let created_at = DateTime::<Utc>::from_timestamp(listed, 0).unwrap();
        // A few are bumped (끌올) later: they sort as new from a later position.
        let bump = rng.chance(0.08).then(|| {
            let later = rng.below(total.max(1)) as u64;
            (total as u64 + later + 1, created_at + chrono::Duration::days(1 + rng.below(7) as i64))
        });
        ListingDocument {
            listing_id: ListingId::from_uuid(Uuid::from_u128(n as u128)),
            seller_id: AccountId::from_uuid(Uuid::from_u128(1_000_000 + rng.below(SELLERS as usize) as u128)),
            title: title.join(" "),
            description,
            price: Money::won(price).unwrap(),
            category_id: Some(CategoryId::parse(family.category).unwrap()),
            status,
            version: 2 + rng.below(3) as u64,
            created_position: position,
            created_at,
            updated_at: created_at,
            quantity: 1,
            available: u32::from(status == ListingStatusView::OnSale),
            images: Vec::new(),
            // One in twenty sellers gives no place.
            location: (!rng.chance(0.05)).then(|| near_place(rng, place)),
            neighbourhood: Some(format!("{} {neighbourhood}", place.city)),
            bumped_at: bump.map(|(_, at)| at),
            bumped_position: bump.map(|(position, _)| position),
            review: None,
        }
    }
}

/// The listings of positions `from..to` (1-based), each from a generator of its own position, so
/// any batch can be made again alone (the reference index makes them again).
fn batch(catalogue: &Catalogue, from: usize, to: usize, total: usize) -> Vec<ListingDocument> {
    (from..to).map(|n| catalogue.listing(&mut SplitMix(0x4A41_4E47_5445_4F00 ^ n as u64), n, total)).collect()
}

// ---------------------------------------------------------------------------------------------
// What is asked.

/// A parent category as the application expands it: its leaves.
#[rustfmt::skip]
const PARENTS: &[(&str, &[&str])] = &[
    ("phones", &["iphone", "galaxy-phones", "other-phones"]),
    ("tablets", &["ipad", "galaxy-tabs", "other-tablets"]),
    ("laptops", &["macbook", "windows-laptops"]),
    ("audio", &["earphones", "speakers"]),
    ("digital", &["iphone", "galaxy-phones", "other-phones", "ipad", "galaxy-tabs", "other-tablets", "macbook",
        "windows-laptops", "desktop-pcs", "monitors", "pc-parts", "earphones", "speakers", "wearables",
        "digital-cameras", "film-cameras"]),
    ("cleaning-appliances", &["vacuums", "robot-vacuums"]),
    ("appliances", &["kitchen-appliances", "air-conditioners", "fans", "heaters", "vacuums", "robot-vacuums",
        "beauty-appliances", "tvs"]),
    ("bicycles", &["folding-bikes", "road-bikes", "mountain-bikes", "e-bikes"]),
    ("camping", &["tents", "camping-chairs", "camping-cookware"]),
    ("strollers-seats", &["strollers", "car-seats"]),
    ("games", &["game-consoles", "game-titles"]),
    ("desks-chairs", &["desks", "chairs"]),
    ("outerwear", &["women-padding", "women-coats", "men-padding", "men-coats"]),
    ("shoes", &["sneakers", "dress-shoes"]),
];

/// The headline's searches: a text, the parent category a buyer would pick for it, and the
/// price range they would set (won), from which each query's range is drawn.
#[rustfmt::skip]
const FILTERED: &[(&str, &str, (i64, i64))] = &[
    ("아이폰", "phones", (300_000, 1_200_000)),
    ("아이폰 15 프로", "phones", (800_000, 1_500_000)),
    ("iphone", "digital", (300_000, 1_500_000)),
    ("갤럭시", "phones", (200_000, 1_000_000)),
    ("갤럭시 S24", "phones", (500_000, 1_300_000)),
    ("맥북 에어", "laptops", (500_000, 1_500_000)),
    ("맥북", "digital", (500_000, 2_500_000)),
    ("아이패드", "tablets", (300_000, 1_000_000)),
    ("에어팟", "audio", (50_000, 300_000)),
    ("에어팟 프로", "audio", (100_000, 300_000)),
    ("자전거", "bicycles", (50_000, 800_000)),
    ("접이식자전거", "bicycles", (100_000, 1_500_000)),
    ("전기자전거", "bicycles", (300_000, 1_500_000)),
    ("캠핑의자", "camping", (10_000, 150_000)),
    ("캠핑 의자", "camping", (10_000, 150_000)),
    ("텐트", "camping", (50_000, 800_000)),
    ("유모차", "strollers-seats", (50_000, 800_000)),
    ("닌텐도 스위치", "games", (150_000, 450_000)),
    ("플스5", "games", (300_000, 600_000)),
    ("다이슨 청소기", "cleaning-appliances", (100_000, 600_000)),
    ("다이슨", "appliances", (100_000, 700_000)),
    ("청소기", "cleaning-appliances", (100_000, 800_000)),
    ("의자", "desks-chairs", (30_000, 800_000)),
    ("패딩", "outerwear", (50_000, 600_000)),
    ("나이키", "shoes", (50_000, 250_000)),
    ("미개봉 아이폰", "phones", (800_000, 1_600_000)),
    ("S급 갤럭시", "phones", (300_000, 1_200_000)),
    ("ㅇㅇㅍ", "phones", (300_000, 1_200_000)),
    ("닌텐더 스위치", "games", (150_000, 450_000)),
    ("모니터", "digital", (80_000, 500_000)),
];

/// Text-only searches: the headline's texts and more (compounds, spacing, 초성, typos, Latin).
const TEXTS: &[&str] = &[
    "레고",
    "노스페이스 패딩",
    "롱패딩",
    "에어프라이어",
    "커피머신",
    "골프채",
    "애플워치",
    "소니 헤드폰",
    "자전거를",
    "아이폰15프로맥스",
    "중고아이폰",
    "캠핑테이블",
    "모션데스크",
    "허먼밀러",
    "ㄷㅇㅅ",
    "ㅈㅈㄱ",
    "playstation",
    "galaxy",
    "macbook air",
    "airpods",
    "풀박스",
    "급처",
    "다이슨 에어랩",
    "스타벅스 기프티콘",
    "루이비통",
];

/// Keystroke prefixes as typed into the search box.
#[rustfmt::skip]
const PREFIXES: &[&str] = &[
    "아", "아이", "아이ㅍ", "아이폰", "아이폰 1", "아이폰 15 ㅍ", "갤", "갤럭", "갤럭시 S", "ㅇㅇㅍ", "ㄱㄹㅅ", "자전",
    "접이", "전기자", "맥북", "맥북 ㅇ", "에어", "에어ㅍ", "닌텐", "ㄴㅌㄷ", "다이", "다이슨 ㅊ", "캠핑", "캠핑ㅇ",
    "유모", "플스", "노스", "레고", "ip", "gal", "mac", "의자", "패딩",
];

fn parent_leaves(parent: &str) -> Vec<CategoryId> {
    let (_, leaves) = PARENTS.iter().find(|(name, _)| *name == parent).unwrap();
    leaves.iter().map(|leaf| CategoryId::parse(leaf).unwrap()).collect()
}

struct Workload {
    text: Vec<SearchQuery>,
    filtered: Vec<SearchQuery>,
    by_distance: Vec<SearchQuery>,
    prefixes: Vec<String>,
}

impl Workload {
    fn new(count: usize) -> Self {
        let mut rng = SplitMix(0x5345_4152_4348);
        let texts: Vec<&str> =
            FILTERED.iter().map(|(text, _, _)| *text).chain(TEXTS.iter().copied()).collect();
        let text = (0..count)
            .map(|_| SearchQuery { text: Some((*rng.pick(&texts)).to_owned()), ..SearchQuery::default() })
            .collect();
        let place_weights: Vec<u32> = PLACES.iter().map(|place| place.weight).collect();
        let filtered: Vec<SearchQuery> = (0..count)
            .map(|_| {
                let (text, parent, (low, high)) = *rng.pick(FILTERED);
                let min = round_to(low as f64 * (0.3 + 0.7 * rng.unit()), 10_000);
                let max = round_to(high as f64 * (0.6 + 0.8 * rng.unit()), 10_000).max(min + 10_000);
                // Most set both ends; some only a ceiling, a few only a floor.
                let (min_price, max_price) = match rng.below(10) {
                    0..6 => (Some(min), Some(max)),
                    6..9 => (None, Some(max)),
                    _ => (Some(min), None),
                };
                let place = &PLACES[rng.weighted(&place_weights)];
                SearchQuery {
                    text: Some(text.to_owned()),
                    min_price: min_price.map(|won| Money::won(won).unwrap()),
                    max_price: max_price.map(|won| Money::won(won).unwrap()),
                    category_ids: parent_leaves(parent),
                    near: Some(Nearby {
                        center: near_place(&mut rng, place),
                        radius_km: 3.0 + (rng.below(15) as f64) * 0.5,
                    }),
                    ..SearchQuery::default()
                }
            })
            .collect();
        let by_distance = filtered
            .iter()
            .map(|query| SearchQuery { sort: SearchSort::Distance, ..query.clone() })
            .collect();
        let prefixes = (0..count).map(|_| (*rng.pick(PREFIXES)).to_owned()).collect();
        Self { text, filtered, by_distance, prefixes }
    }
}

/// Searches to record before suggestions are measured: every text, each a few dozen times at
/// most, as a week of a small market's searches might hold.
fn recorded_searches() -> Vec<String> {
    let mut rng = SplitMix(0x4849_5354);
    let texts = FILTERED.iter().map(|(text, _, _)| *text).chain(TEXTS.iter().copied());
    texts.flat_map(|text| std::iter::repeat_n(text.to_owned(), 2 + rng.below(40))).collect()
}

// ---------------------------------------------------------------------------------------------
// Measuring.

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|value| value.replace(['_', ','], "").parse().ok()).unwrap_or(default)
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// Commits `total` listings in batches; returns the time spent in `commit` (generating the
/// listings is not counted).
async fn seed(index: &dyn ListingSearch, catalogue: &Catalogue, total: usize, batch_size: usize) -> Duration {
    let mut committing = Duration::ZERO;
    let started = Instant::now();
    let mut from = 1;
    while from <= total {
        let to = (from + batch_size).min(total + 1);
        let listings = batch(catalogue, from, to, total);
        let asked = Instant::now();
        index.commit(listings, Vec::new(), (to - 1) as u64).await.unwrap();
        committing += asked.elapsed();
        from = to;
        if (from - 1) % (batch_size * 10) == 0 || from > total {
            println!(
                "  {} listings, {:.0} documents/s so far ({:.0} s)",
                from - 1,
                rate(from - 1, committing),
                started.elapsed().as_secs_f64()
            );
        }
    }
    committing
}

/// Runs `queries` one after another (the first [`WARM_UP`] once before, unmeasured) and reports
/// their latency, throughput and how many hits they found.
async fn searches(index: &dyn ListingSearch, name: &str, queries: &[SearchQuery]) -> Vec<Duration> {
    for query in queries.iter().take(WARM_UP) {
        index.search(query).await.unwrap();
    }
    let mut samples = Vec::with_capacity(queries.len());
    let mut slowest = Slowest::default();
    let (mut hits, mut empty) = (0, 0);
    let (started, cpu) = (Instant::now(), cpu_seconds());
    for query in queries {
        let asked = Instant::now();
        let page = index.search(query).await.unwrap();
        let took = asked.elapsed();
        samples.push(took);
        slowest.add(query.text.as_deref().unwrap_or(""), took);
        hits += page.hits.len();
        empty += usize::from(page.hits.is_empty());
    }
    report_run(name, &samples, queries.len(), started.elapsed(), cpu_seconds() - cpu, (hits, empty));
    slowest.print("texts");
    samples
}

/// Where a tail comes from: the time taken by each text (or prefix), to print the slowest.
#[derive(Default)]
struct Slowest {
    by_text: std::collections::BTreeMap<String, (Duration, u32)>,
}

impl Slowest {
    fn add(&mut self, text: &str, took: Duration) {
        let (total, count) = self.by_text.entry(text.to_owned()).or_default();
        *total += took;
        *count += 1;
    }

    fn print(&self, what: &str) {
        let mut means: Vec<(&str, f64)> = self
            .by_text
            .iter()
            .map(|(text, (total, count))| (text.as_str(), total.as_secs_f64() * 1000.0 / f64::from(*count)))
            .collect();
        means.sort_by(|a, b| b.1.total_cmp(&a.1));
        let slowest: Vec<String> =
            means.iter().take(5).map(|(text, mean)| format!("{text:?} {mean:.1} ms")).collect();
        println!("  slowest {what} on average: {}", slowest.join(", "));
    }
}

/// Prints one run's latency percentiles, its rate from one client, the CPU each query took and
/// how many hits the queries found.
fn report_run(
    name: &str,
    samples: &[Duration],
    count: usize,
    elapsed: Duration,
    cpu: f64,
    found: (usize, usize),
) {
    let (hits, empty) = found;
    report_to(name, samples.to_vec(), 2);
    println!(
        "  {:.0} queries/s from one client, {:.2} ms of this process's CPU each; {:.1} hits a page on \
         average, {:.1} % of queries with none",
        rate(count, elapsed),
        cpu * 1000.0 / count as f64,
        hits as f64 / count as f64,
        100.0 * empty as f64 / count as f64
    );
}

/// Queries/s of `clients` clients sharing `queries`.
async fn throughput(index: &Arc<dyn ListingSearch>, queries: &[SearchQuery], clients: usize) -> f64 {
    let started = Instant::now();
    let tasks: Vec<_> = queries
        .chunks(queries.len().div_ceil(clients).max(1))
        .map(|part| {
            let (index, part) = (Arc::clone(index), part.to_vec());
            tokio::spawn(async move {
                for query in &part {
                    index.search(query).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    rate(queries.len(), started.elapsed())
}

async fn suggestions(index: &dyn ListingSearch, name: &str, prefixes: &[String]) -> Vec<Duration> {
    for prefix in prefixes.iter().take(WARM_UP) {
        index.suggest(prefix, 10).await.unwrap();
    }
    let mut samples = Vec::with_capacity(prefixes.len());
    let mut slowest = Slowest::default();
    let mut proposed = 0;
    let (started, cpu) = (Instant::now(), cpu_seconds());
    for prefix in prefixes {
        let asked = Instant::now();
        proposed += index.suggest(prefix, 10).await.unwrap().len();
        let took = asked.elapsed();
        samples.push(took);
        slowest.add(prefix, took);
    }
    let (elapsed, cpu) = (started.elapsed(), cpu_seconds() - cpu);
    report_to(name, samples.clone(), 2);
    println!(
        "  {:.0} suggestions/s from one client, {:.2} ms of this process's CPU each; {:.1} proposals each \
         on average",
        rate(prefixes.len(), elapsed),
        cpu * 1000.0 / prefixes.len() as f64,
        proposed as f64 / prefixes.len() as f64
    );
    slowest.print("prefixes");
    samples
}

/// The whole query workload against one adapter; returns the text-only samples for the ratio.
async fn queries(index: &Arc<dyn ListingSearch>, workload: &Workload, label: &str) -> Vec<Duration> {
    let text = searches(index.as_ref(), &format!("{label}: (a) text only"), &workload.text).await;
    searches(
        index.as_ref(),
        &format!("{label}: (b) text + category leaves + price + 3–10 km, relevance"),
        &workload.filtered,
    )
    .await;
    let clients = 2;
    println!(
        "  the same from {clients} clients at once: {:.0} queries/s",
        throughput(index, &workload.filtered, clients).await
    );
    searches(index.as_ref(), &format!("{label}: (c) the same, closest first"), &workload.by_distance).await;
    let history = recorded_searches();
    for text in &history {
        index.record_query(text).await.unwrap();
    }
    println!("  recorded {} searches of {} queries", history.len(), FILTERED.len() + TEXTS.len());
    suggestions(index.as_ref(), &format!("{label}: (d) suggest(prefix, 10)"), &workload.prefixes).await;
    for prefix in ["아이ㅍ", "ㅇㅇㅍ", "갤럭시 S", "자전"] {
        let proposed: Vec<String> =
            index.suggest(prefix, 10).await.unwrap().into_iter().map(|suggestion| suggestion.text).collect();
        println!("  {prefix} → {}", proposed.join(", "));
    }
    text
}

/// CPU seconds this process has used, from `/proc/self/stat` (utime + stime, in clock ticks of
/// 1/100 s on Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |at: usize| fields.get(at).and_then(|field| field.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat(5); after the name, state is the first.
    (ticks(11) + ticks(12)) / 100.0
}

/// Waits until tantivy's background merges are done: the process uses less than 5 % of a core
/// over two seconds (at most five minutes).
async fn wait_until_idle() -> Duration {
    let started = Instant::now();
    let mut before = cpu_seconds();
    while started.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = cpu_seconds();
        if now - before < 0.1 {
            break;
        }
        before = now;
    }
    started.elapsed()
}

/// Bytes of the files in `dir` (tantivy's index is flat).
fn size_on_disk(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|entry| entry.metadata().ok())
        .filter(std::fs::Metadata::is_file)
        .map(|metadata| metadata.len())
        .sum()
}

fn segments(dir: &Path) -> usize {
    tantivy::Index::open_in_dir(dir).unwrap().searchable_segment_metas().unwrap().len()
}

// ---------------------------------------------------------------------------------------------
// The reference: plain tantivy.

struct Reference {
    index: tantivy::Index,
    reader: IndexReader,
    title: Field,
}

/// The same titles in a plain index (the default tokenizer: split at non-alphanumerics,
/// lower-cased), committed in the same batches by one indexing thread with the adapter's memory
/// budget; returns the time spent adding and committing.
fn build_reference(dir: &Path, catalogue: &Catalogue, total: usize) -> (Reference, Duration) {
    let mut builder = Schema::builder();
    let title = builder.add_text_field("title", TEXT | STORED);
    let listing_id = builder.add_u64_field("listing_id", STORED);
    let index = tantivy::Index::create_in_dir(dir, builder.build()).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 32 * 1024 * 1024).unwrap();
    let mut indexing = Duration::ZERO;
    let mut from = 1;
    while from <= total {
        let to = (from + BATCH).min(total + 1);
        let listings = batch(catalogue, from, to, total);
        let started = Instant::now();
        for listing in &listings {
            let mut document = TantivyDocument::default();
            document.add_text(title, &listing.title);
            document.add_u64(listing_id, listing.created_position);
            writer.add_document(document).unwrap();
        }
        writer.commit().unwrap();
        indexing += started.elapsed();
        from = to;
    }
    writer.wait_merging_threads().unwrap();
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().unwrap();
    (Reference { index, reader, title }, indexing)
}

impl Reference {
    /// Every word required, the best 21 by BM25 and the count of all matches (as the adapter's
    /// collector counts), the first 20 stored hits read.
    fn search(&self, text: &str) -> usize {
        let mut parser = QueryParser::for_index(&self.index, vec![self.title]);
        parser.set_conjunction_by_default();
        let (query, _) = parser.parse_query_lenient(text);
        let searcher = self.reader.searcher();
        let (top, _matched) = searcher.search(&query, &(TopDocs::with_limit(PAGE + 1), Count)).unwrap();
        for (_, address) in top.iter().take(PAGE) {
            let _: TantivyDocument = searcher.doc(*address).unwrap();
        }
        top.len().min(PAGE)
    }
}

/// The text-only queries against the reference, on the blocking pool as the adapter runs them.
async fn reference_searches(reference: &Arc<Reference>, queries: &[SearchQuery]) -> Vec<Duration> {
    let texts: Vec<String> = queries.iter().filter_map(|query| query.text.clone()).collect();
    let run = |text: String| {
        let reference = Arc::clone(reference);
        tokio::task::spawn_blocking(move || reference.search(&text))
    };
    for text in texts.iter().take(WARM_UP) {
        run(text.clone()).await.unwrap();
    }
    let mut samples = Vec::with_capacity(texts.len());
    let (mut hits, mut empty) = (0, 0);
    let (started, cpu) = (Instant::now(), cpu_seconds());
    for text in &texts {
        let asked = Instant::now();
        let found = run(text.clone()).await.unwrap();
        samples.push(asked.elapsed());
        hits += found;
        empty += usize::from(found == 0);
    }
    let (elapsed, cpu) = (started.elapsed(), cpu_seconds() - cpu);
    report_run("reference, plain tantivy: text only", &samples, texts.len(), elapsed, cpu, (hits, empty));
    samples
}

fn quantile(samples: &[Duration], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort();
    jangteo_benches::percentile(&sorted, p).as_secs_f64() * 1000.0
}

// ---------------------------------------------------------------------------------------------

async fn elasticsearch(url: &str, workload: &Workload, catalogue: &Catalogue) {
    let total = env_count("JANGTEO_BENCH_ES_LISTINGS", 100_000);
    let analyzer: TextAnalyzer = std::env::var("JANGTEO_ELASTICSEARCH_ANALYZER")
        .ok()
        .map_or(TextAnalyzer::Nori, |name| name.parse().unwrap());
    let name = format!("jangteo-bench-{}", Uuid::new_v4().simple());
    let adapter = ElasticsearchListingSearch::connect(url, &name, analyzer).await.unwrap();
    println!(
        "\nElasticsearch adapter at {url} (index {name}, analyzer {}): {total} listings",
        analyzer.as_str()
    );
    let started = Instant::now();
    let committing = seed(&adapter, catalogue, total, 2_000).await;
    println!(
        "Elasticsearch index built: {total} listings in {:.1} s ({:.0} documents/s in commit, {:.1} s in all)",
        committing.as_secs_f64(),
        rate(total, committing),
        started.elapsed().as_secs_f64()
    );
    let cleanup = adapter.clone();
    let adapter: Arc<dyn ListingSearch> = Arc::new(adapter);
    queries(&adapter, workload, "Elasticsearch").await;
    cleanup.delete_indexes().await.unwrap();
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; a filter argument that does not match skips the run.
    if std::env::args().skip(1).any(|arg| !arg.starts_with('-') && !"search_million".contains(&arg)) {
        return;
    }
    let total = env_count("JANGTEO_BENCH_LISTINGS", 1_000_000);
    let count = env_count("JANGTEO_BENCH_QUERIES", 3_000);
    let catalogue = Catalogue::new();
    let workload = Workload::new(count);
    let dir = tempfile::tempdir().unwrap();
    // A kept index (`JANGTEO_BENCH_INDEX_DIR`) that a run of the same size finished is searched
    // again without seeding, for profiling the queries; the adapter empties it itself when its
    // schema changed.
    let index_dir = std::env::var_os("JANGTEO_BENCH_INDEX_DIR")
        .map_or_else(|| dir.path().join("listings"), std::path::PathBuf::from);
    let reference_dir = dir.path().join("reference");

    println!("tantivy adapter: {total} listings in batches of {BATCH}, under {}", index_dir.display());
    let adapter = TantivyListingSearch::open(&index_dir).unwrap();
    let seeded = total as u64 + 1;
    let build_rate = if adapter.checkpoint().await.unwrap() == seeded {
        println!("index kept from an earlier run: {} segments", segments(&index_dir));
        None
    } else {
        adapter.reset().await.unwrap();
        let started = Instant::now();
        let committing = seed(&adapter, &catalogue, total, BATCH).await;
        let built = started.elapsed();
        let merging = wait_until_idle().await;
        // An empty commit, as the projection makes when it moves its checkpoint, reloads the
        // reader onto the merged segments.
        adapter.commit(Vec::new(), Vec::new(), seeded).await.unwrap();
        println!(
            "index built: {total} listings, {:.0} documents/s ({:.1} s in commit, {:.1} s with generating \
             them), then {:.0} s of background merges; {:.0} MiB on disk, {} segments",
            rate(total, committing),
            committing.as_secs_f64(),
            built.as_secs_f64(),
            merging.as_secs_f64(),
            size_on_disk(&index_dir) as f64 / (1024.0 * 1024.0),
            segments(&index_dir),
        );
        Some(rate(total, committing))
    };

    let adapter: Arc<dyn ListingSearch> = Arc::new(adapter);
    let jangteo_text = queries(&adapter, &workload, "tantivy adapter").await;
    drop(adapter);

    std::fs::create_dir_all(&reference_dir).unwrap();
    let (reference, indexing) = {
        let (dir, catalogue) = (reference_dir.clone(), Catalogue::new());
        tokio::task::spawn_blocking(move || build_reference(&dir, &catalogue, total)).await.unwrap()
    };
    println!(
        "reference index built: {total} titles, {:.0} documents/s ({:.1} s); {:.0} MiB on disk, {} segments",
        rate(total, indexing),
        indexing.as_secs_f64(),
        size_on_disk(&reference_dir) as f64 / (1024.0 * 1024.0),
        segments(&reference_dir),
    );
    let reference = Arc::new(reference);
    let reference_text = reference_searches(&reference, &workload.text).await;
    println!(
        "ratio, text only, tantivy adapter / reference: p50 {:.1}×, p99 {:.1}×",
        quantile(&jangteo_text, 0.5) / quantile(&reference_text, 0.5),
        quantile(&jangteo_text, 0.99) / quantile(&reference_text, 0.99),
    );
    if let Some(build_rate) = build_rate {
        println!(
            "ratio, build rate, reference / tantivy adapter: {:.1}×",
            rate(total, indexing) / build_rate
        );
    }

    if let Some(url) = std::env::var("JANGTEO_BENCH_ELASTICSEARCH_URL").ok().filter(|url| !url.is_empty()) {
        elasticsearch(&url, &workload, &catalogue).await;
    }
}
