//! The tracker.delivery GraphQL API (`https://apis.tracker.delivery/graphql`): one query,
//! `track(carrierId, trackingNumber)`, answering the parcel's events with courier-neutral status
//! codes. Carrier ids are Jangteo's own (`kr.cjlogistics`, `kr.lotte`, `kr.hanjin`, `kr.epost`,
//! `kr.logen`). Credentials go in `Authorization: TRACKQL-API-KEY <client id>:<client secret>`.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use jangteo_domain::{Carrier, TrackingNumber};
use serde::Deserialize;
use serde_json::json;

use crate::{CourierTracker, Tracking, TrackingError, TrackingEvent, TrackingStatus};

pub const API_URL: &str = "https://apis.tracker.delivery/graphql";

/// The scans asked for: more than any domestic parcel collects.
const EVENTS: u32 = 50;

const TRACK_QUERY: &str = "query Track($carrierId: ID!, $trackingNumber: String!, $last: Int!) {
  track(carrierId: $carrierId, trackingNumber: $trackingNumber) {
    events(last: $last) { edges { node { time status { code } description } } }
  }
}";

#[derive(Debug, Clone)]
pub struct TrackerDelivery {
    http: reqwest::Client,
    url: String,
    credentials: String,
}

impl TrackerDelivery {
    /// A client of `url` (normally [`API_URL`]) with the API's client id and secret.
    pub fn new(
        url: &str,
        client_id: &str,
        client_secret: &str,
        timeout: Duration,
    ) -> Result<Self, TrackingError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|error| TrackingError::Misconfigured(format!("HTTP client: {error}")))?;
        Ok(Self { http, url: url.to_owned(), credentials: format!("{client_id}:{client_secret}") })
    }
}

#[derive(Debug, Deserialize)]
struct Answer {
    data: Option<Data>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

#[derive(Debug, Deserialize)]
struct Data {
    track: Option<Track>,
}

#[derive(Debug, Deserialize)]
struct Track {
    events: Connection,
}

#[derive(Debug, Deserialize)]
struct Connection {
    edges: Vec<Edge>,
}

#[derive(Debug, Deserialize)]
struct Edge {
    node: Node,
}

#[derive(Debug, Deserialize)]
struct Node {
    time: DateTime<Utc>,
    status: Status,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Status {
    code: String,
}

#[derive(Debug, Deserialize)]
struct GraphqlError {
    message: String,
    #[serde(default)]
    extensions: Option<serde_json::Value>,
}

#[async_trait]
impl CourierTracker for TrackerDelivery {
    async fn track(
        &self,
        carrier: Carrier,
        tracking_number: &TrackingNumber,
    ) -> Result<Tracking, TrackingError> {
        let body = json!({
            "query": TRACK_QUERY,
            "variables": {
                "carrierId": carrier.id(),
                "trackingNumber": tracking_number.as_str(),
                "last": EVENTS,
            },
        });
        let response = self
            .http
            .post(&self.url)
            .header("Authorization", format!("TRACKQL-API-KEY {}", self.credentials))
            .json(&body)
            .send()
            .await
            .map_err(|error| TrackingError::Unavailable(error.to_string()))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(TrackingError::Misconfigured(status.to_string()));
        }
        if status.is_server_error() {
            return Err(TrackingError::Unavailable(status.to_string()));
        }
        let answer: Answer = response
            .json()
            .await
            .map_err(|error| TrackingError::Unavailable(format!("unexpected answer: {error}")))?;
        if let Some(error) = answer.errors.first() {
            let code = error
                .extensions
                .as_ref()
                .and_then(|extensions| extensions["code"].as_str())
                .unwrap_or_default();
            return Err(match code {
                "NOT_FOUND" => TrackingError::NotFound(tracking_number.as_str().to_owned()),
                "UNAUTHENTICATED" | "FORBIDDEN" => TrackingError::Misconfigured(error.message.clone()),
                _ => TrackingError::Unavailable(format!("{code}: {}", error.message)),
            });
        }
        let track = answer
            .data
            .and_then(|data| data.track)
            .ok_or_else(|| TrackingError::NotFound(tracking_number.as_str().to_owned()))?;
        let mut events: Vec<TrackingEvent> = track
            .events
            .edges
            .into_iter()
            .map(|edge| TrackingEvent {
                time: edge.node.time,
                status: status_of(&edge.node.status.code),
                description: edge.node.description.unwrap_or_default(),
            })
            .collect();
        events.sort_by_key(|event| event.time);
        Ok(Tracking { events })
    }
}

/// tracker.delivery's status code; codes it adds later read as `Unknown`, which never moves a
/// shipment on.
fn status_of(code: &str) -> TrackingStatus {
    match code {
        "INFORMATION_RECEIVED" => TrackingStatus::InformationReceived,
        "AT_PICKUP" => TrackingStatus::AtPickup,
        "IN_TRANSIT" => TrackingStatus::InTransit,
        "OUT_FOR_DELIVERY" => TrackingStatus::OutForDelivery,
        "ATTEMPT_FAIL" => TrackingStatus::AttemptFail,
        "DELIVERED" => TrackingStatus::Delivered,
        "AVAILABLE_FOR_PICKUP" => TrackingStatus::AvailableForPickup,
        "EXCEPTION" => TrackingStatus::Exception,
        _ => TrackingStatus::Unknown,
    }
}
