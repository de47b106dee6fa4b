//! Schemas of response bodies built from other crates' types (read-model documents, the cart, the
//! timeline, domain enums), described here so that those crates need not know about OpenAPI.
//!
//! None of these types is ever built: each one only describes, field for field, what the type it
//! stands for serializes to. The CI run of schemathesis checks every response against them, and
//! the tests of this module check the domain enums' names.

#![allow(dead_code, reason = "the types exist for their schemas; nothing constructs them")]
#![allow(clippy::struct_field_names, reason = "the fields are named as the JSON they describe")]

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{
    ToSchema,
    openapi::{KnownFormat, ObjectBuilder, RefOr, Schema, SchemaFormat, Type},
};
use uuid::Uuid;

/// An amount in won (Korean won has no minor unit): 0 to 1,000,000,000 (`Money`).
pub(crate) struct Won;

impl utoipa::PartialSchema for Won {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(0))
            .maximum(Some(jangteo_domain::Money::MAX))
            .description(Some("An amount in won (no minor unit)."))
            .into()
    }
}

impl ToSchema for Won {}

/// A listing's status. Only `on_sale`, `reserved` and `sold` are public; drafts, listings waiting
/// for review or rejected, and withdrawn listings are shown to their seller (and admins) only.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ListingStatus {
    Draft,
    /// Waits for an admin: the automatic moderation rules did not approve it.
    PendingReview,
    /// An admin turned it down; the seller may edit it and publish it again.
    Rejected,
    OnSale,
    Reserved,
    Sold,
    Withdrawn,
}

/// An order's status.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OrderStatus {
    Placed,
    Paid,
    Shipped,
    /// The courier delivered it; the buyer-protection window runs.
    Delivered,
    Completed,
    Cancelled,
    /// The buyer asked to send the item back; the seller decides on the refund.
    ReturnRequested,
    /// A party asked staff to decide; the escrow is frozen.
    Disputed,
    /// Everything paid went back to the buyer after shipment.
    Refunded,
}

/// Where the escrow holding an order's money stands.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EscrowStatus {
    Held,
    /// A dispute is open: nothing leaves until staff resolve it.
    Frozen,
    /// All to the seller.
    Released,
    /// All to the buyer.
    Refunded,
    /// Part to each.
    Split,
}

/// How the buyer pays.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PaymentMethod {
    Card,
    BankTransfer,
    KakaoPay,
    NaverPay,
    TossPay,
}

/// A courier, by its tracker id.
#[derive(Serialize, ToSchema)]
pub(crate) enum Carrier {
    #[serde(rename = "kr.cjlogistics")]
    CjLogistics,
    #[serde(rename = "kr.lotte")]
    Lotte,
    #[serde(rename = "kr.hanjin")]
    Hanjin,
    #[serde(rename = "kr.epost")]
    Epost,
    #[serde(rename = "kr.logen")]
    Logen,
}

/// Why the buyer asks to send a delivered item back.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReturnReason {
    /// The item differs from its listing.
    NotAsDescribed,
    /// The item arrived broken.
    Damaged,
    /// Accepted only where the cooling-off rule applies (`JANGTEO_RETURNS_FOR_CHANGE_OF_MIND`).
    ChangedMind,
}

/// Staff's decision on a dispute.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub(crate) enum DisputeResolution {
    /// Everything paid goes back to the buyer; the listing is on sale again.
    RefundBuyer,
    /// Everything paid goes to the seller; the listing is sold.
    ReleaseSeller,
    /// `refund` (1 won to less than the price) goes back to the buyer, the rest to the seller.
    Split {
        #[schema(minimum = 1, maximum = 1_000_000_000)]
        refund: i64,
    },
}

/// Who acted: a member, the system itself (process manager, deadlines), dispute staff or an
/// admin.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ActorRole {
    User,
    System,
    Agent,
    Admin,
}

/// One listing of an order: its units, at the price they had when the order was placed.
#[derive(ToSchema)]
pub(crate) struct OrderItem {
    listing_id: Uuid,
    /// The line's total: the unit price times `units`.
    #[schema(value_type = Won)]
    price: i64,
    #[schema(minimum = 1, maximum = 999)]
    units: u32,
}

/// An order, with the status of the escrow holding its money.
#[derive(ToSchema)]
pub(crate) struct Order {
    order_id: Uuid,
    /// The order's first listing (its only one, unless it bundles several).
    listing_id: Uuid,
    items: Vec<OrderItem>,
    buyer_id: Uuid,
    seller_id: Uuid,
    #[schema(value_type = Won)]
    shipping_fee: i64,
    /// What the buyer pays: the items and the shipping fee.
    #[schema(value_type = Won)]
    price: i64,
    status: OrderStatus,
    /// `null` until the order is paid.
    escrow_status: Option<EscrowStatus>,
    /// Paid back to the buyer from the escrow so far.
    #[schema(value_type = Won)]
    escrow_refunded: i64,
    /// Paid out to the seller from the escrow so far.
    #[schema(value_type = Won)]
    escrow_released: i64,
    #[schema(minimum = 0)]
    version: u64,
    /// The escrow stream's version this document reflects (0 before payment).
    #[schema(minimum = 0)]
    escrow_version: u64,
    /// Global log position of the order's placement (the "newest first" key).
    #[schema(minimum = 0)]
    created_position: u64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A listing in the cart as it is now.
#[derive(ToSchema)]
pub(crate) struct CartLine {
    listing_id: Uuid,
    title: String,
    #[schema(value_type = Won)]
    price: i64,
    /// `on_sale`, or why it cannot be bought now.
    status: ListingStatus,
}

/// One seller's listings in the cart: one order, one parcel.
#[derive(ToSchema)]
pub(crate) struct CartGroup {
    seller_id: Uuid,
    lines: Vec<CartLine>,
    /// The `on_sale` lines' prices.
    #[schema(value_type = Won)]
    subtotal: i64,
    /// One parcel's fee with `kr.cjlogistics`.
    #[schema(value_type = Won)]
    shipping_fee: i64,
    #[schema(value_type = Won)]
    total: i64,
}

/// The member's cart by seller, at current prices.
#[derive(ToSchema)]
pub(crate) struct Cart {
    groups: Vec<CartGroup>,
    /// What checking out costs now: every group's total.
    #[schema(value_type = Won)]
    total: i64,
}

/// One event of an order's history, replayed from the event store.
#[derive(ToSchema)]
pub(crate) struct TimelineEntry {
    #[schema(minimum = 0)]
    global_position: u64,
    stream_id: Uuid,
    /// `order`, `listing`, `escrow` or `settlement`.
    stream_type: String,
    #[schema(minimum = 0)]
    version: u64,
    event_type: String,
    actor_id: Option<Uuid>,
    actor_role: ActorRole,
    command_id: Uuid,
    causation_id: Option<Uuid>,
    recorded_at: DateTime<Utc>,
    /// The event's payload.
    #[schema(value_type = Object)]
    data: serde_json::Value,
    /// The stream's state after the event.
    #[schema(value_type = Value)]
    state_after: serde_json::Value,
    /// The step in words ("auto-confirmed by the system 3 days after delivery").
    summary: String,
}

/// The order's, its listings', its escrow's and its settlement's events in log order.
#[derive(ToSchema)]
pub(crate) struct Timeline {
    order_id: Uuid,
    /// The trade's buyer and seller.
    parties: Vec<TimelineParty>,
    entries: Vec<TimelineEntry>,
}

/// A party of a trade.
#[derive(ToSchema)]
pub(crate) struct TimelineParty {
    #[schema(pattern = "^(buyer|seller)$")]
    role: String,
    account_id: Uuid,
    /// The member has closed their account: the trade's events stay, what identified them is gone.
    erased: bool,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests state expectations with unwrap")]

    use chrono::Utc;
    use jangteo_app::{CartLine as RealCartLine, CartView, SellerGroup, Timeline as RealTimeline};
    use jangteo_domain::{AccountId, CategoryId, ListingId, Money, OrderId};
    use jangteo_domain::{
        listing::{GeoPoint, ImageDigest, ImageKind, ListingImage},
        moderation::ReviewReason,
    };
    use jangteo_read_models::{ListingDocument, ListingReview, ListingStatusView, OrderDocument};

    use crate::listing_view::ListingView;
    use serde_json::{Value, json};

    use super::*;

    /// What the document's schema `name` finds wrong with `value` (references resolved in the
    /// document).
    fn violations(name: &str, value: &impl Serialize) -> Vec<String> {
        let mut root = serde_json::to_value(crate::openapi::document()).unwrap();
        root["$ref"] = json!(format!("#/components/schemas/{name}"));
        let validator = jsonschema::draft202012::options().build(&root).unwrap();
        let value = serde_json::to_value(value).unwrap();
        validator.iter_errors(&value).map(|error| error.to_string()).collect()
    }

    fn assert_matches(name: &str, value: &impl Serialize) {
        let errors = violations(name, value);
        assert!(errors.is_empty(), "{name} does not describe {}: {errors:?}", json!(value));
    }

    fn id<T: From<Uuid>>() -> T {
        T::from(Uuid::now_v7())
    }

    fn won(amount: i64) -> Money {
        Money::won(amount).unwrap()
    }

    /// The schemas describe what the real types serialize to (the types that change elsewhere).
    #[test]
    #[allow(clippy::too_many_lines, reason = "one fixture per body, read top to bottom")]
    fn the_other_crates_bodies_match_their_schemas() {
        let now = Utc::now();
        let listing = ListingDocument {
            listing_id: id(),
            seller_id: id(),
            title: "소설책".to_owned(),
            description: String::new(),
            price: won(9000),
            category_id: Some(CategoryId::parse("novels").unwrap()),
            status: ListingStatusView::OnSale,
            version: 2,
            created_position: 7,
            created_at: now,
            updated_at: now,
            quantity: 3,
            available: 2,
            images: vec![ListingImage {
                image_id: id(),
                kind: ImageKind::Webp,
                sha256: ImageDigest::parse(&"0f".repeat(32)).unwrap(),
                width: 1200,
                height: 900,
                size: 183_000,
            }],
            location: Some(GeoPoint::new(37.4979, 127.0276).unwrap()),
            neighbourhood: Some("역삼동".to_owned()),
            bumped_at: Some(now),
            bumped_position: Some(9),
            review: Some(ListingReview { reasons: vec![ReviewReason::BannedWords], rejection_reason: None }),
        };
        let view = ListingView::of(&listing).at_distance(Some(1.234));
        assert_matches("ListingView", &view);
        let bare = ListingDocument {
            category_id: None,
            images: Vec::new(),
            location: None,
            neighbourhood: None,
            bumped_at: None,
            review: None,
            ..listing.clone()
        };
        assert_matches("ListingView", &ListingView::of(&bare));
        // The check has teeth: a listing without its price, or with a status no listing has, fails.
        let mut broken = serde_json::to_value(ListingView::of(&listing)).unwrap();
        broken.as_object_mut().unwrap().remove("price");
        assert!(!violations("ListingView", &broken).is_empty());
        broken["price"] = json!(9000);
        broken["status"] = json!("lost");
        assert!(!violations("ListingView", &broken).is_empty());

        let item =
            jangteo_domain::order::OrderItem { listing_id: id::<ListingId>(), price: won(9000), units: 1 };
        let order = OrderDocument {
            order_id: id::<OrderId>(),
            listing_id: item.listing_id,
            items: vec![item],
            buyer_id: id(),
            seller_id: id(),
            shipping_fee: won(3500),
            price: won(12_500),
            status: jangteo_domain::order::OrderStatus::Paid,
            escrow_status: Some(jangteo_domain::escrow::EscrowStatus::Held),
            escrow_refunded: won(0),
            escrow_released: won(0),
            version: 2,
            escrow_version: 1,
            created_position: 5,
            created_at: now,
            updated_at: now,
        };
        assert_matches("Order", &order);
        assert_matches("Order", &OrderDocument { escrow_status: None, ..order });

        let line =
            |status| RealCartLine {
                listing_id: id(), title: "에세이".to_owned(), price: won(7000), status
            };
        let group = SellerGroup {
            seller_id: id::<AccountId>(),
            lines: vec![line("on_sale"), line("reserved")],
            subtotal: won(7000),
            shipping_fee: won(3500),
            total: won(10_500),
        };
        assert_matches("Cart", &CartView { groups: vec![group], total: won(10_500) });

        let entry = jangteo_app::TimelineEntry {
            global_position: 3,
            stream_id: Uuid::now_v7(),
            stream_type: "order".to_owned(),
            version: 1,
            event_type: "OrderPlaced".to_owned(),
            actor_id: Some(Uuid::now_v7()),
            actor_role: jangteo_event_store::ActorRole::User,
            command_id: Uuid::now_v7(),
            causation_id: None,
            recorded_at: now,
            data: json!({"price": 12_500}),
            state_after: json!({"status": "placed"}),
            summary: "placed by the buyer".to_owned(),
        };
        let parties = vec![jangteo_app::TimelineParty {
            role: "buyer",
            account_id: AccountId::from_uuid(Uuid::nil()),
            erased: true,
        }];
        assert_matches("Timeline", &RealTimeline { order_id: id(), parties, entries: vec![entry] });
    }

    fn names<T: Serialize>(values: &[T]) -> Vec<Value> {
        values.iter().map(|value| serde_json::to_value(value).unwrap()).collect()
    }

    /// Each documented name deserializes as the domain's enum, and the domain's lists (where it
    /// has them) are the documented ones.
    #[test]
    fn enum_names_are_the_domains() {
        use jangteo_domain as domain;
        let listing = names(&[
            ListingStatus::Draft,
            ListingStatus::PendingReview,
            ListingStatus::Rejected,
            ListingStatus::OnSale,
            ListingStatus::Reserved,
            ListingStatus::Sold,
            ListingStatus::Withdrawn,
        ]);
        assert_eq!(listing, names(&jangteo_read_models::ListingStatusView::ALL));
        let carriers =
            names(&[Carrier::CjLogistics, Carrier::Lotte, Carrier::Hanjin, Carrier::Epost, Carrier::Logen]);
        assert_eq!(carriers, names(&domain::Carrier::ALL));
        for name in names(&[
            OrderStatus::Placed,
            OrderStatus::Paid,
            OrderStatus::Shipped,
            OrderStatus::Delivered,
            OrderStatus::Completed,
            OrderStatus::Cancelled,
            OrderStatus::ReturnRequested,
            OrderStatus::Disputed,
            OrderStatus::Refunded,
        ]) {
            serde_json::from_value::<domain::order::OrderStatus>(name).unwrap();
        }
        for name in names(&[
            EscrowStatus::Held,
            EscrowStatus::Frozen,
            EscrowStatus::Released,
            EscrowStatus::Refunded,
            EscrowStatus::Split,
        ]) {
            serde_json::from_value::<domain::escrow::EscrowStatus>(name).unwrap();
        }
        for name in names(&[
            PaymentMethod::Card,
            PaymentMethod::BankTransfer,
            PaymentMethod::KakaoPay,
            PaymentMethod::NaverPay,
            PaymentMethod::TossPay,
        ]) {
            serde_json::from_value::<domain::PaymentMethod>(name).unwrap();
        }
        for name in names(&[ReturnReason::NotAsDescribed, ReturnReason::Damaged, ReturnReason::ChangedMind]) {
            serde_json::from_value::<domain::ReturnReason>(name).unwrap();
        }
        for decision in [
            json!({"decision": "refund_buyer"}),
            json!({"decision": "release_seller"}),
            json!({"decision": "split", "refund": 1000}),
        ] {
            serde_json::from_value::<DisputeResolution>(decision.clone()).unwrap();
            serde_json::from_value::<domain::DisputeResolution>(decision).unwrap();
        }
    }
}
