//! The Kakao Local adapter against a local server answering as Kakao's documentation of
//! `GET /v2/local/geo/coord2regioncode.json` says, and refusing requests without the REST API key.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::unreadable_literal,
    reason = "tests state expectations with expect/unwrap, and quote Kakao's answers as they are"
)]

use std::time::Duration;

use jangteo_geo::{
    DongCode, GeoError, Geocoder,
    kakao::{KakaoConfig, KakaoGeocoder, KakaoRestApiKey},
};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{header, method, path, query_param},
};

const KEY: &str = "test-rest-api-key";
const PATH: &str = "/v2/local/geo/coord2regioncode.json";

fn geocoder(server: &MockServer, key: &str, timeout: Duration) -> KakaoGeocoder {
    KakaoGeocoder::new(&KakaoConfig {
        base_url: server.uri(),
        rest_api_key: KakaoRestApiKey::new(key),
        timeout,
    })
    .unwrap()
}

fn yeoksam_answer() -> Value {
    json!({
        "meta": { "total_count": 2 },
        "documents": [
            {
                "region_type": "B",
                "code": "1168010100",
                "address_name": "서울특별시 강남구 역삼동",
                "region_1depth_name": "서울특별시",
                "region_2depth_name": "강남구",
                "region_3depth_name": "역삼동",
                "region_4depth_name": "",
                "x": 127.03320108651666,
                "y": 37.50049856339524
            },
            {
                "region_type": "H",
                "code": "1168064000",
                "address_name": "서울특별시 강남구 역삼1동",
                "region_1depth_name": "서울특별시",
                "region_2depth_name": "강남구",
                "region_3depth_name": "역삼1동",
                "region_4depth_name": "",
                "x": 127.03306536185,
                "y": 37.495359006217
            }
        ]
    })
}

/// Answers a request carrying the key as Kakao does, and anything else with Kakao's 401.
async fn kakao(answer: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(PATH))
        .and(header("authorization", format!("KakaoAK {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "errorType": "AccessDeniedError",
            "message": "cannot find appkey"
        })))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_administrative_dong_is_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(PATH))
        .and(query_param("x", "127.0276"))
        .and(query_param("y", "37.4979"))
        .and(header("authorization", format!("KakaoAK {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(yeoksam_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let dong = geocoder(&server, KEY, Duration::from_secs(5))
        .neighbourhood_of(37.4979, 127.0276)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dong.code, DongCode::Mois("1168064000".to_owned()));
    assert_eq!(dong.full_name(), "서울특별시 강남구 역삼1동");
    assert!((dong.centre.lat - 37.495_359).abs() < 1e-6 && (dong.centre.lng - 127.033_065).abs() < 1e-6);
    assert_eq!(dong.radius_km, None);
}

#[tokio::test]
async fn coordinates_sent_as_strings_are_read_too() {
    let mut answer = yeoksam_answer();
    answer["documents"][1]["x"] = json!("127.03306536185");
    answer["documents"][1]["y"] = json!("37.495359006217");
    let server = kakao(answer).await;
    let dong = geocoder(&server, KEY, Duration::from_secs(5))
        .neighbourhood_of(37.4979, 127.0276)
        .await
        .unwrap()
        .unwrap();
    assert!((dong.centre.lng - 127.033_065).abs() < 1e-6);
}

#[tokio::test]
async fn a_point_in_no_region_is_in_no_dong() {
    let server = kakao(json!({ "meta": { "total_count": 0 }, "documents": [] })).await;
    assert_eq!(
        geocoder(&server, KEY, Duration::from_secs(5)).neighbourhood_of(36.0, 124.0).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn a_wrong_key_is_a_misconfiguration() {
    let server = kakao(yeoksam_answer()).await;
    let refused =
        geocoder(&server, "another-key", Duration::from_secs(5)).neighbourhood_of(37.4979, 127.0276).await;
    match refused {
        Err(GeoError::Misconfigured { message }) => {
            assert!(message.contains("AccessDeniedError"), "{message}");
        }
        other => panic!("expected Misconfigured, got {other:?}"),
    }
}

#[tokio::test]
async fn a_malformed_answer_is_unexpected() {
    for answer in [
        json!({ "documents": "not a list" }),
        json!({ "meta": { "total_count": 1 }, "documents": [{ "region_type": "H", "code": "1168064000" }] }),
        json!({ "meta": { "total_count": 1 }, "documents": [{
            "region_type": "H", "code": "1168064000", "address_name": "", "region_1depth_name": "서울특별시",
            "region_2depth_name": "강남구", "region_3depth_name": "역삼1동", "region_4depth_name": "",
            "x": "east", "y": 37.5
        }] }),
        json!({ "meta": { "total_count": 1 }, "documents": [{
            "region_type": "H", "code": "", "address_name": "", "region_1depth_name": "서울특별시",
            "region_2depth_name": "강남구", "region_3depth_name": "", "region_4depth_name": "",
            "x": 127.03, "y": 37.5
        }] }),
    ] {
        let server = kakao(answer.clone()).await;
        let read = geocoder(&server, KEY, Duration::from_secs(5)).neighbourhood_of(37.4979, 127.0276).await;
        assert!(matches!(read, Err(GeoError::UnexpectedAnswer { .. })), "{answer}: {read:?}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_unexpected() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    let read = geocoder(&server, KEY, Duration::from_secs(5)).neighbourhood_of(37.4979, 127.0276).await;
    match read {
        Err(error @ GeoError::UnexpectedAnswer { .. }) => {
            assert!(std::error::Error::source(&error).is_some());
        }
        other => panic!("expected UnexpectedAnswer, got {other:?}"),
    }
}

#[tokio::test]
async fn server_errors_rate_limits_and_silence_are_unavailability() {
    for status in [429, 500, 503] {
        let server = MockServer::start().await;
        Mock::given(method("GET")).respond_with(ResponseTemplate::new(status)).mount(&server).await;
        let read = geocoder(&server, KEY, Duration::from_secs(5)).neighbourhood_of(37.4979, 127.0276).await;
        assert!(matches!(read, Err(GeoError::Unavailable { .. })), "{status}: {read:?}");
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(yeoksam_answer()).set_delay(Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let read = geocoder(&server, KEY, Duration::from_millis(200)).neighbourhood_of(37.4979, 127.0276).await;
    assert!(matches!(read, Err(GeoError::Unavailable { .. })), "{read:?}");
}

#[tokio::test]
async fn invalid_coordinates_are_refused_before_asking() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    let read = geocoder(&server, KEY, Duration::from_secs(5)).neighbourhood_of(f64::NAN, 127.0).await;
    assert!(matches!(read, Err(GeoError::InvalidCoordinates { .. })));
}

#[test]
fn the_key_never_prints() {
    let config = KakaoConfig {
        base_url: "https://dapi.kakao.com".to_owned(),
        rest_api_key: KakaoRestApiKey::new(KEY),
        timeout: Duration::from_secs(3),
    };
    assert!(!format!("{config:?}").contains(KEY));
}
