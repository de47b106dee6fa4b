//! A courier that needs no network, for the embedded profile and tests: a parcel is in transit
//! from the first time it is asked about, and delivered `delivery_after` later. It keeps what it
//! was asked in memory, so a restart starts the parcels' journeys again.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use chrono::Utc;
use jangteo_domain::{Carrier, TrackingNumber};

use crate::{CourierTracker, Tracking, TrackingError, TrackingEvent, TrackingStatus};

#[derive(Debug)]
pub struct SimulatedCourier {
    delivery_after: Duration,
    first_seen: Mutex<HashMap<(Carrier, TrackingNumber), Instant>>,
}

impl SimulatedCourier {
    pub fn new(delivery_after: Duration) -> Self {
        Self { delivery_after, first_seen: Mutex::new(HashMap::new()) }
    }
}

#[async_trait]
impl CourierTracker for SimulatedCourier {
    async fn track(
        &self,
        carrier: Carrier,
        tracking_number: &TrackingNumber,
    ) -> Result<Tracking, TrackingError> {
        let first_seen = {
            let mut seen = self
                .first_seen
                .lock()
                .map_err(|_| TrackingError::Unavailable("simulated courier poisoned".to_owned()))?;
            *seen.entry((carrier, tracking_number.clone())).or_insert_with(Instant::now)
        };
        let now = Utc::now();
        let mut events = vec![TrackingEvent {
            time: now,
            status: TrackingStatus::InTransit,
            description: "simulated: in transit".to_owned(),
        }];
        if first_seen.elapsed() >= self.delivery_after {
            events.push(TrackingEvent {
                time: now,
                status: TrackingStatus::Delivered,
                description: "simulated: delivered".to_owned(),
            });
        }
        Ok(Tracking { events })
    }
}
