//! One line per timeline entry, for the staff and members reading a trade's story: who did what,
//! in words ("auto-confirmed by the system 3 days after delivery"). The entry's event and
//! metadata stay the evidence; the line is derived from them.

use chrono::{DateTime, Utc};
use jangteo_domain::order::Order;
use jangteo_event_store::ActorRole;
use serde_json::Value;

use crate::TimelineEntry;

/// Who acted, as the trade sees them.
fn who(entry: &TimelineEntry, order: &Order) -> &'static str {
    match (entry.actor_role, entry.actor_id) {
        (ActorRole::System, _) => "the system",
        (ActorRole::Agent, _) => "dispute staff",
        (ActorRole::Admin, _) => "an admin",
        (ActorRole::User, Some(actor)) if actor == order.buyer_id.as_uuid() => "the buyer",
        (ActorRole::User, Some(actor)) if actor == order.seller_id.as_uuid() => "the seller",
        (ActorRole::User, _) => "a member",
    }
}

fn won(value: &Value) -> String {
    value.as_i64().map_or_else(|| "?".to_owned(), |won| format!("{won} won"))
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// How long after `since` the entry happened, in the largest whole unit.
fn elapsed(since: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let seconds = (at - since).num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3_600 => format!("{} min", seconds / 60),
        3_600..86_400 => format!("{} h", seconds / 3_600),
        _ => format!("{} days", seconds / 86_400),
    }
}

/// The line for `entry` of `order`'s timeline; `delivered_at` is when the courier delivered it.
pub(crate) fn summarize(entry: &TimelineEntry, order: &Order, delivered_at: Option<DateTime<Utc>>) -> String {
    let by = who(entry, order);
    let data = &entry.data;
    match entry.event_type.as_str() {
        "ListingCreated" => format!("listing created by {by} at {}", won(&data["price"])),
        "ListingPublished" => format!("put on sale by {by}"),
        "ListingPriceChanged" => format!("price changed by {by} to {}", won(&data["new_price"])),
        "ListingReserved" => format!("listing reserved for an order by {by}"),
        "ListingReservationReleased" => format!("listing back on sale ({by})"),
        "ListingSold" => format!("listing sold ({by})"),
        "OrderPlaced" => format!("order placed by {by}: {} with shipping", won(&data["price"])),
        "OrderPaid" => format!("paid by {by}: {}", won(&data["amount"])),
        "EscrowHeld" => format!("{} held in escrow", won(&data["amount"])),
        "OrderShipped" => {
            format!("shipped by {by} with {} ({})", text(&data["carrier"]), text(&data["tracking_number"]))
        }
        "ShipmentProgressed" => format!("courier reports: {}", text(&data["stage"]).replace('_', " ")),
        "OrderDelivered" => {
            "delivered, as the courier reports; the buyer-protection window starts".to_owned()
        }
        "OrderCompleted" if entry.actor_role == ActorRole::System => match delivered_at {
            Some(delivered) => {
                format!(
                    "auto-confirmed by the system {} after delivery",
                    elapsed(delivered, entry.recorded_at)
                )
            }
            None => "auto-confirmed by the system".to_owned(),
        },
        "OrderCompleted" => format!("receipt confirmed by {by}"),
        "OrderExpired" if data["deadline"] == "payment" => {
            "expired by the system: not paid in time".to_owned()
        }
        "OrderExpired" => "expired by the system: not shipped in time; the buyer is refunded".to_owned(),
        "OrderCancelled" => format!("cancelled by {by}: {}", text(&data["reason"])),
        "ReturnRequested" => {
            format!("return requested by {by} ({})", text(&data["reason"]).replace('_', " "))
        }
        "RefundGranted" => format!("refund of {} granted by {by}", won(&data["amount"])),
        "DisputeOpened" => format!("dispute opened by {by}: {}", text(&data["reason"])),
        "DisputeResolved" => match text(&data["resolution"]["decision"]) {
            "refund_buyer" => "dispute decided by staff: everything back to the buyer".to_owned(),
            "release_seller" => "dispute decided by staff: everything to the seller".to_owned(),
            _ => format!(
                "dispute decided by staff: {} back to the buyer, the rest to the seller",
                won(&data["resolution"]["refund"])
            ),
        },
        "EscrowFrozen" => "escrow frozen until the dispute is decided".to_owned(),
        "EscrowReleased" => format!("{} released to the seller", won(&data["amount"])),
        "EscrowRefunded" => format!("{} refunded to the buyer", won(&data["amount"])),
        "SettlementScheduled" => format!(
            "{} to be paid out to the seller on {} ({} fee)",
            won(&data["payout"]),
            text(&data["payout_on"]),
            won(&data["fee"])
        ),
        other => format!("{other} by {by}"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn durations_read_in_their_largest_unit() {
        let start = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(elapsed(start, start + TimeDelta::seconds(2)), "2 s");
        assert_eq!(elapsed(start, start + TimeDelta::minutes(90)), "1 h");
        assert_eq!(elapsed(start, start + TimeDelta::days(3) + TimeDelta::hours(1)), "3 days");
    }
}
