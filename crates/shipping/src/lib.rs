//! Shipping: where a parcel is (the [`CourierTracker`] port, its adapter on the public
//! tracker.delivery API and a simulated courier for the embedded profile), and what sending one
//! costs ([`fees::FeeTable`]). The tracker.delivery adapter is the feature `tracker-delivery`;
//! without it the crate compiles no HTTP client.

pub mod fees;
pub mod simulated;
#[cfg(feature = "tracker-delivery")]
pub mod tracker_delivery;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use jangteo_domain::{Carrier, TrackingNumber};
use serde::{Deserialize, Serialize};

/// Where a parcel is, in the courier-neutral codes of tracker.delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrackingStatus {
    InformationReceived,
    AtPickup,
    InTransit,
    OutForDelivery,
    AttemptFail,
    Delivered,
    AvailableForPickup,
    Exception,
    Unknown,
}

impl TrackingStatus {
    /// How far along the parcel is; tracking never moves a shipment backwards.
    pub fn progress(self) -> u8 {
        match self {
            TrackingStatus::Unknown | TrackingStatus::Exception => 0,
            TrackingStatus::InformationReceived => 1,
            TrackingStatus::AtPickup => 2,
            TrackingStatus::InTransit => 3,
            TrackingStatus::OutForDelivery | TrackingStatus::AttemptFail => 4,
            TrackingStatus::AvailableForPickup => 5,
            TrackingStatus::Delivered => 6,
        }
    }
}

/// One scan of the parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingEvent {
    pub time: DateTime<Utc>,
    pub status: TrackingStatus,
    /// The courier's own words (e.g. "배송완료").
    pub description: String,
}

/// A parcel's history, oldest scan first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tracking {
    pub events: Vec<TrackingEvent>,
}

impl Tracking {
    /// The furthest the parcel got, and when it got there.
    pub fn furthest(&self) -> Option<&TrackingEvent> {
        self.events
            .iter()
            .filter(|event| event.status.progress() > 0)
            .max_by_key(|event| (event.status.progress(), event.time))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackingError {
    /// The courier knows no such tracking number (yet: numbers appear once the parcel is
    /// registered).
    #[error("the courier knows no parcel {0}")]
    NotFound(String),
    #[error("courier tracking is unavailable: {0}")]
    Unavailable(String),
    #[error("courier tracking refused our credentials: {0}")]
    Misconfigured(String),
}

/// Asks a courier where a parcel is.
#[async_trait]
pub trait CourierTracker: Send + Sync + 'static {
    async fn track(
        &self,
        carrier: Carrier,
        tracking_number: &TrackingNumber,
    ) -> Result<Tracking, TrackingError>;
}
