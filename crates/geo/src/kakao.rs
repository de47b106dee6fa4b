//! Kakao Local's coordinate-to-region API (`GET /v2/local/geo/coord2regioncode.json?x={lng}&y={lat}`
//! on `https://dapi.kakao.com`, header `Authorization: KakaoAK {REST API key}`). The answer holds
//! up to two documents, the 법정동 (`region_type` "B") and the 행정동 ("H"); Jangteo's 동네 are
//! 행정동, so the "H" document is the answer. A point Kakao places in no region (the sea) has
//! no "H" document and is `None`.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::{DongCode, GeoError, Geocoder, LatLng, Neighbourhood};

pub const DEFAULT_BASE_URL: &str = "https://dapi.kakao.com";
const PATH: &str = "/v2/local/geo/coord2regioncode.json";

/// A Kakao REST API key; its `Debug` never shows it.
#[derive(Clone)]
pub struct KakaoRestApiKey(String);

impl KakaoRestApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }
}

impl fmt::Debug for KakaoRestApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KakaoRestApiKey(<redacted>)")
    }
}

#[derive(Debug, Clone)]
pub struct KakaoConfig {
    /// Normally [`DEFAULT_BASE_URL`]; tests point it at a local server.
    pub base_url: String,
    pub rest_api_key: KakaoRestApiKey,
    /// The whole request's deadline, connection included.
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct KakaoGeocoder {
    http: reqwest::Client,
    url: String,
    authorization: String,
}

impl KakaoGeocoder {
    pub fn new(config: &KakaoConfig) -> Result<Self, GeoError> {
        let http = reqwest::Client::builder().timeout(config.timeout).build().map_err(|error| {
            GeoError::Unavailable {
                reason: "cannot build the HTTP client".to_owned(),
                source: Some(Box::new(error)),
            }
        })?;
        Ok(Self {
            http,
            url: format!("{}{PATH}", config.base_url.trim_end_matches('/')),
            authorization: format!("KakaoAK {}", config.rest_api_key.0),
        })
    }
}

#[derive(Debug, Deserialize)]
struct Answer {
    meta: Meta,
    documents: Vec<Document>,
}

#[derive(Debug, Deserialize)]
struct Meta {
    total_count: u32,
}

#[derive(Debug, Deserialize)]
struct Document {
    region_type: String,
    code: String,
    region_1depth_name: String,
    region_2depth_name: String,
    region_3depth_name: String,
    #[serde(deserialize_with = "coordinate")]
    x: f64,
    #[serde(deserialize_with = "coordinate")]
    y: f64,
}

/// `x` and `y` are documented as numbers here, while Kakao's address search sends the same
/// fields as strings; either is read.
fn coordinate<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(f64),
        Text(String),
    }
    match NumberOrText::deserialize(deserializer)? {
        NumberOrText::Number(number) => Ok(number),
        NumberOrText::Text(text) => text.trim().parse().map_err(serde::de::Error::custom),
    }
}

/// Kakao's error body (`{"errorType": "...", "message": "..."}`), where it sends one.
#[derive(Debug, Deserialize)]
struct KakaoError {
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    message: Option<String>,
}

fn unexpected(reason: impl Into<String>) -> GeoError {
    GeoError::UnexpectedAnswer { reason: reason.into(), source: None }
}

#[async_trait]
impl Geocoder for KakaoGeocoder {
    async fn neighbourhood_of(&self, lat: f64, lng: f64) -> Result<Option<Neighbourhood>, GeoError> {
        let point = LatLng::new(lat, lng)?;
        let response = self
            .http
            .get(&self.url)
            .query(&[("x", point.lng), ("y", point.lat)])
            .header("Authorization", &self.authorization)
            .send()
            .await
            .map_err(|error| GeoError::Unavailable {
                reason: if error.is_timeout() { "no answer in time" } else { "the request failed" }
                    .to_owned(),
                source: Some(Box::new(error)),
            })?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            let detail = serde_json::from_str::<KakaoError>(&body).ok().map_or_else(
                || status.to_string(),
                |error| {
                    format!("{}: {}", error.error_type.unwrap_or_default(), error.message.unwrap_or_default())
                },
            );
            return Err(match status.as_u16() {
                401 | 403 => GeoError::Misconfigured { message: detail },
                429 | 500..=599 => {
                    GeoError::Unavailable { reason: format!("{status}: {detail}"), source: None }
                }
                _ => unexpected(format!("{status}: {detail}")),
            });
        }
        let answer: Answer = response.json().await.map_err(|error| GeoError::UnexpectedAnswer {
            reason: "the body is not the documented answer".to_owned(),
            source: Some(Box::new(error)),
        })?;
        if answer.meta.total_count == 0 {
            return Ok(None);
        }
        let Some(document) = answer.documents.into_iter().find(|document| document.region_type == "H") else {
            return Ok(None);
        };
        if document.code.is_empty() || document.region_3depth_name.is_empty() {
            return Err(unexpected("a 행정동 document without a code or a 동 name"));
        }
        let centre = LatLng::new(document.y, document.x).map_err(|error| GeoError::UnexpectedAnswer {
            reason: "the document's point is not on Earth".to_owned(),
            source: Some(Box::new(error)),
        })?;
        Ok(Some(Neighbourhood {
            code: DongCode::Mois(document.code),
            sido: document.region_1depth_name,
            sigungu: document.region_2depth_name,
            dong: document.region_3depth_name,
            centre,
            radius_km: None,
        }))
    }
}
