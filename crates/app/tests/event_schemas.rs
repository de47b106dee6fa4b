//! The published JSON Schemas (docs/events/<EventType>.v<N>.json) describe the events Jangteo
//! really stores: a trade with every kind of event is run against a real store, and each stored
//! payload is validated against its schema. Analysts can rely on the files.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::too_many_lines,
    reason = "tests state expectations with expect/unwrap; the event tour reads as one script"
)]

use std::{collections::BTreeSet, path::PathBuf, sync::Arc};

use jangteo_app::{
    Accounts, Actor, Carts, Checkouts, CommandContext, DEFAULT_CACHE_CAPACITY, Disputes, Favourites,
    ListingChanges, Listings, NewListing, Orders, PaymentRequest, PlainPassword, Registration, UnitOfWork,
    process_manager::TradeProcessManager,
};
use jangteo_domain::{
    CancelReason, Carrier, CategoryId, Description, DisputeReason, DisputeResolution, Email, ImageId, Money,
    Nickname, PaymentMethod, ReturnReason, Title, TrackingNumber,
    account::AccountRole,
    listing::{GeoPoint, ImageDigest, ImageKind, ListingImage, Quantity},
    moderation::ModerationPolicy,
    order::{OrderDeadline, ReturnPolicy},
    registry,
};
use jangteo_event_store::{EventStore, sqlite::SqliteEventStore};
use jangteo_payments::{PaymentGateway, simulated::SimulatedGateway};
use jangteo_shipping::fees::FeeTable;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/events")
}

/// Produces every event type there is, through the application services.
async fn every_kind_of_event(store: &Arc<dyn EventStore>, dir: &std::path::Path) {
    let uow = UnitOfWork::new(Arc::clone(store), DEFAULT_CACHE_CAPACITY);
    let identity = Arc::new(
        jangteo_identity::sqlite::SqliteIdentityStore::open(&dir.join("identity.sqlite")).await.unwrap(),
    );
    let master = jangteo_identity::MasterKey::generate().unwrap().0;
    let vault = jangteo_identity::PersonalDataVault::open(identity.clone(), master).await.unwrap();
    let accounts = Accounts::new(&uow, &vault, identity.clone());
    let listings = Listings::new(&uow);
    let gateway: Arc<dyn PaymentGateway> = Arc::new(SimulatedGateway::new());
    let orders = Orders::new(&uow, Arc::clone(&gateway));
    let register = |name: &str| Registration {
        email: Email::parse(&format!("{name}@example.com")).unwrap(),
        nickname: Nickname::parse(name).unwrap(),
        password: PlainPassword::parse("a long enough password").unwrap(),
        consents: jangteo_app::ConsentAnswers {
            terms: jangteo_domain::consent::ConsentVersion::parse(jangteo_app::FIRST_POLICY_VERSION).unwrap(),
            privacy: jangteo_domain::consent::ConsentVersion::parse(jangteo_app::FIRST_POLICY_VERSION)
                .unwrap(),
            marketing: true,
        },
    };
    let (seller, _) = accounts.register(register("seller")).await.unwrap();
    let (buyer, _) = accounts.register(register("buyer")).await.unwrap();
    // Marketing was agreed to at sign-up; withdrawing it is the one consent event left.
    let changes = jangteo_app::ConsentChanges { marketing: Some(false), ..Default::default() };
    accounts.change_consents(buyer, changes).await.unwrap();
    // The profile: a new nickname, a phone and an address, then the address removed.
    let profiles = jangteo_app::Profiles::new(&accounts, &uow, &vault, Arc::new(jangteo_app::SystemClock));
    let edits = jangteo_app::ProfileChanges {
        nickname: Some(Nickname::parse("buyer2").unwrap()),
        phone: jangteo_domain::Edit::Set(jangteo_domain::PhoneNumber::parse("010-1234-5678").unwrap()),
        address: jangteo_domain::Edit::Set(jangteo_domain::PostalAddress::parse("서울 마포구").unwrap()),
    };
    profiles.change(buyer, edits).await.unwrap();
    let removal = jangteo_app::ProfileChanges { address: jangteo_domain::Edit::Remove, ..Default::default() };
    profiles.change(buyer, removal).await.unwrap();
    verify_phone(&uow, &vault, &identity, dir, buyer).await;
    let neighbourhoods = jangteo_app::Neighbourhoods::new(
        Arc::new(jangteo_geo::bundled::BundledGeocoder::new().unwrap()),
        Arc::new(jangteo_geo::meeting_places::MeetingPlaces::bundled().unwrap()),
    );
    let verifications = jangteo_app::NeighbourhoodVerifications::new(
        &uow,
        &vault,
        &neighbourhoods,
        Arc::new(jangteo_app::SystemClock),
    );
    verifications.verify(buyer, GeoPoint::new(37.4979, 127.0276).unwrap(), None).await.unwrap();
    let context = |who| CommandContext::new(Actor::Member(who));
    // The category tree: planted, then every change an admin makes.
    let categories = jangteo_app::Categories::new(&uow);
    assert!(categories.plant_default_tree().await.unwrap());
    assert!(!categories.plant_default_tree().await.unwrap(), "planted once");
    let admin_email = Email::parse("admin@example.com").unwrap();
    accounts.register(Registration { email: admin_email.clone(), ..register("admin") }).await.unwrap();
    let admin = accounts.grant_role(&admin_email, AccountRole::Admin).await.unwrap();
    let category = |slug: &str| CategoryId::parse(slug).unwrap();
    let names = |ko: &str, en: &str| jangteo_domain::category::CategoryNames {
        ko: jangteo_domain::CategoryName::parse(ko).unwrap(),
        en: jangteo_domain::CategoryName::parse(en).unwrap(),
    };
    let watch = jangteo_domain::category::NewCategory {
        category_id: category("galaxy-watch"),
        parent_id: Some(category("wearables")),
        names: names("갤럭시워치", "Galaxy Watch"),
    };
    categories.create(admin, watch).await.unwrap();
    categories.rename(admin, category("galaxy-watch"), names("갤럭시 워치", "Galaxy Watch")).await.unwrap();
    categories.move_under(admin, category("galaxy-watch"), Some(category("phones"))).await.unwrap();
    categories.retire(admin, category("galaxy-watch")).await.unwrap();
    let new = |title: &str| NewListing {
        title: Title::parse(title).unwrap(),
        description: Description::parse("설명").unwrap(),
        price: Money::won(10_000).unwrap(),
        category_id: Some(CategoryId::parse("chairs").unwrap()),
        quantity: Quantity::ONE,
        location: Some(GeoPoint::new(37.5563, 126.9236).unwrap()),
    };
    let (sold, _) = listings.create(seller, new("의자")).await.unwrap();
    listings.publish(seller, sold).await.unwrap();
    let changes = ListingChanges {
        title: Some(Title::parse("좋은 의자").unwrap()),
        price: Some(Money::won(9_000).unwrap()),
        category_id: Some(CategoryId::parse("sofas").unwrap()),
        quantity: Some(Quantity::new(2).unwrap()),
        location: Some(GeoPoint::new(37.5665, 126.978).unwrap()),
        ..ListingChanges::default()
    };
    listings.edit(seller, sold, changes).await.unwrap();
    let back_to_one = ListingChanges { quantity: Some(Quantity::ONE), ..ListingChanges::default() };
    listings.edit(seller, sold, back_to_one).await.unwrap();
    listings.bump(seller, sold).await.unwrap();
    let photo = |n: u128| ListingImage {
        image_id: ImageId::from_uuid(uuid::Uuid::from_u128(n)),
        kind: ImageKind::Jpeg,
        sha256: ImageDigest::parse(&format!("{n:064x}")).unwrap(),
        width: 1024,
        height: 768,
        size: 200_000,
    };
    for n in [1, 2, 3] {
        listings.add_image(seller, sold, photo(n)).await.unwrap();
    }
    let reordered = [3, 1, 2].map(|n| photo(n).image_id).to_vec();
    listings.reorder_images(seller, sold, reordered).await.unwrap();
    listings.remove_image(seller, sold, photo(2).image_id).await.unwrap();
    // Moderation: a listing with a banned word waits for review, is rejected, edited and
    // published again (on sale by itself now); another is approved by the admin.
    let moderated = Listings::new(&uow).with_moderation(ModerationPolicy::new(["짝퉁"], false));
    let (reviewed, _) = moderated.create(seller, new("짝퉁 시계")).await.unwrap();
    moderated.publish(seller, reviewed).await.unwrap();
    let reason = jangteo_domain::RejectionReason::parse("가품은 팔 수 없어요").unwrap();
    moderated.reject(admin, reviewed, reason).await.unwrap();
    let honest =
        ListingChanges { title: Some(Title::parse("정품 시계").unwrap()), ..ListingChanges::default() };
    moderated.edit(seller, reviewed, honest).await.unwrap();
    moderated.publish(seller, reviewed).await.unwrap();
    let (approved, _) = moderated.create(seller, new("짝퉁 아닌 가방")).await.unwrap();
    moderated.publish(seller, approved).await.unwrap();
    moderated.approve(admin, approved).await.unwrap();
    let order = orders.place(buyer, sold, &context(buyer)).await.unwrap().order_id;
    orders.pay(buyer, order, PaymentRequest::new(PaymentMethod::TossPay), &context(buyer)).await.unwrap();
    let tracking = TrackingNumber::parse("630612345678").unwrap();
    orders.ship(seller, order, Carrier::Lotte, tracking, &context(seller)).await.unwrap();
    let out_for_delivery = jangteo_domain::order::ShipmentStage::OutForDelivery;
    orders.record_transit(order, out_for_delivery, &CommandContext::new(Actor::System)).await.unwrap();
    orders.record_delivery(order, &CommandContext::new(Actor::System)).await.unwrap();
    orders.confirm_receipt(buyer, order, &context(buyer)).await.unwrap();
    // Both review the completed trade; the seller answers the buyer's review.
    let reviews = jangteo_app::Reviews::new(&uow, Arc::new(jangteo_app::SystemClock));
    let draft = |stars| {
        jangteo_domain::review::ReviewDraft::new(
            jangteo_domain::review::Rating::parse(stars).unwrap(),
            vec![jangteo_domain::review::ReviewTag::OnTime],
            Some(jangteo_domain::ReviewComment::parse("친절하셨어요").unwrap()),
        )
        .unwrap()
    };
    reviews.write(buyer, order, draft(5), &context(buyer)).await.unwrap();
    reviews.write(seller, order, draft(4), &context(seller)).await.unwrap();
    let thanks = jangteo_domain::ReviewReply::parse("감사합니다").unwrap();
    reviews.reply(seller, order, thanks, &context(seller)).await.unwrap();

    let (cancelled, _) = listings.create(seller, new("책상")).await.unwrap();
    listings.publish(seller, cancelled).await.unwrap();
    let order = orders.place(buyer, cancelled, &context(buyer)).await.unwrap().order_id;
    orders.pay(buyer, order, PaymentRequest::new(PaymentMethod::Card), &context(buyer)).await.unwrap();
    orders.cancel(buyer, order, CancelReason::parse("단순 변심").unwrap(), &context(buyer)).await.unwrap();

    let (forgotten, _) = listings.create(seller, new("선풍기")).await.unwrap();
    listings.publish(seller, forgotten).await.unwrap();
    let order = orders.place(buyer, forgotten, &context(buyer)).await.unwrap().order_id;
    orders.expire(order, OrderDeadline::Payment, &CommandContext::new(Actor::System)).await.unwrap();

    let (withdrawn, _) = listings.create(seller, new("램프")).await.unwrap();
    listings.withdraw(seller, withdrawn).await.unwrap();

    let favourites = Favourites::new(&uow);
    favourites.add(buyer, sold).await.unwrap();
    favourites.remove(buyer, sold).await.unwrap();

    // After delivery: a partial refund on a return, and a dispute that staff split.
    let disputes = Disputes::new(&uow, ReturnPolicy { change_of_mind: true });
    let agent_email = Email::parse("agent@example.com").unwrap();
    let (_agent, _) =
        accounts.register(Registration { email: agent_email.clone(), ..register("agent") }).await.unwrap();
    let agent = accounts.grant_role(&agent_email, AccountRole::DisputeAgent).await.unwrap();
    for (title, dispute) in [("텐트", false), ("카메라", true)] {
        let (listing, _) = listings.create(seller, new(title)).await.unwrap();
        listings.publish(seller, listing).await.unwrap();
        let order = orders.place(buyer, listing, &context(buyer)).await.unwrap().order_id;
        orders.pay(buyer, order, PaymentRequest::new(PaymentMethod::Card), &context(buyer)).await.unwrap();
        let tracking = TrackingNumber::parse("630612345679").unwrap();
        orders.ship(seller, order, Carrier::CjLogistics, tracking, &context(seller)).await.unwrap();
        orders.record_delivery(order, &CommandContext::new(Actor::System)).await.unwrap();
        if dispute {
            let reason = DisputeReason::parse("고장난 물건").unwrap();
            disputes.open_dispute(buyer, order, reason, &context(buyer)).await.unwrap();
            let split = DisputeResolution::Split { refund: Money::won(4_000).unwrap() };
            disputes.resolve_dispute(agent, order, split, &context(agent)).await.unwrap();
        } else {
            disputes.request_return(buyer, order, ReturnReason::ChangedMind, &context(buyer)).await.unwrap();
            disputes
                .accept_return(seller, order, Money::won(1_000).unwrap(), &context(seller))
                .await
                .unwrap();
        }
    }

    // A cart: one listing removed, one checkout that completes and one that fails.
    let carts = Carts::new(&uow, Arc::new(FeeTable::standard()));
    let checkouts = Checkouts::new(&uow, orders.clone(), carts.clone());
    let mut cart = Vec::new();
    for title in ["컵", "접시", "냄비"] {
        let (listing, _) = listings.create(seller, new(title)).await.unwrap();
        listings.publish(seller, listing).await.unwrap();
        carts.add(buyer, listing).await.unwrap();
        cart.push(listing);
    }
    carts.remove(buyer, cart[2]).await.unwrap();
    checkouts.checkout(buyer, None, &context(buyer)).await.unwrap();
    let (other_buyer, _) = accounts.register(register("other")).await.unwrap();
    let (taken, _) = listings.create(seller, new("주전자")).await.unwrap();
    listings.publish(seller, taken).await.unwrap();
    carts.add(other_buyer, cart[2]).await.unwrap();
    carts.add(other_buyer, taken).await.unwrap();
    orders.place(buyer, taken, &context(buyer)).await.unwrap();
    checkouts.checkout(other_buyer, None, &context(other_buyer)).await.unwrap_err();

    // A member who closes their account.
    let (leaver, _) = accounts.register(register("leaver")).await.unwrap();
    close_account(&uow, &accounts, &vault, &identity, dir, leaver).await;

    // The process manager's reactions, and the reactions to those (settlements).
    let manager = TradeProcessManager::new(&uow, gateway);
    let mut position = 0;
    while let Some(last) = store.read_all(position, 1000).await.unwrap().last().map(|e| e.global_position) {
        for event in store.read_all(position, 1000).await.unwrap() {
            manager.handle(&event).await.unwrap();
        }
        position = last;
    }
}

/// Verifies `member`'s phone with the code the simulated SMS sender wrote down.
async fn verify_phone(
    uow: &UnitOfWork,
    vault: &jangteo_identity::PersonalDataVault,
    identity: &Arc<jangteo_identity::sqlite::SqliteIdentityStore>,
    dir: &std::path::Path,
    member: jangteo_domain::AccountId,
) {
    let outbox = dir.join("sms");
    let sms = Arc::new(jangteo_verification::sms::SimulatedSmsSender::open(&outbox).unwrap());
    let phones = jangteo_app::PhoneVerifications::new(
        uow,
        vault,
        identity.clone(),
        sms,
        Arc::new(jangteo_app::SystemClock),
    );
    let number = jangteo_domain::PhoneNumber::parse("010-9999-0000").unwrap();
    phones.start(member, &number).await.unwrap();
    let message = std::fs::read_dir(&outbox).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(message).unwrap();
    let start = text.find("인증번호 ").unwrap() + "인증번호 ".len();
    phones.confirm(member, &text[start..start + 6]).await.unwrap();
}

/// Closes `member`'s account through the member-data service, over empty read models.
async fn close_account(
    uow: &UnitOfWork,
    accounts: &Accounts,
    vault: &jangteo_identity::PersonalDataVault,
    identity: &Arc<jangteo_identity::sqlite::SqliteIdentityStore>,
    dir: &std::path::Path,
    member: jangteo_domain::AccountId,
) {
    use jangteo_read_models::{
        InMemoryListingCounters, sqlite::SqliteDocumentStore, tantivy_search::TantivyListingSearch,
    };
    let accounts = accounts.clone().with_member_erasure(identity.clone());
    let documents = Arc::new(SqliteDocumentStore::open(&dir.join("documents.sqlite")).await.unwrap());
    let search = Arc::new(TantivyListingSearch::open(&dir.join("search")).unwrap());
    let progress = jangteo_app::ProjectionProgress::new();
    let queries = jangteo_app::Queries::new(
        documents,
        search,
        Arc::new(InMemoryListingCounters::new()),
        progress,
        std::time::Duration::from_secs(2),
    );
    let clock: Arc<dyn jangteo_app::Clock> = Arc::new(jangteo_app::SystemClock);
    let sessions = jangteo_app::Sessions::new(identity.clone(), Arc::clone(&clock));
    let mfa = jangteo_app::Mfa::new(&accounts, vault, identity.clone(), Arc::clone(&clock));
    let sign_ins =
        jangteo_app::SignIns::new(&accounts, &mfa, identity.clone(), identity.clone(), Arc::clone(&clock));
    let social_logins =
        jangteo_app::SocialLogins::new(Vec::new(), Vec::new(), identity.clone(), &accounts, &sign_ins, clock);
    let member_data = jangteo_app::MemberData::new(&jangteo_app::MemberServices {
        accounts: &accounts,
        profiles: &jangteo_app::Profiles::new(&accounts, uow, vault, Arc::new(jangteo_app::SystemClock)),
        queries: &queries,
        listings: &Listings::new(uow),
        sessions: &sessions,
        sign_ins: &sign_ins,
        mfa: &mfa,
        social_logins: &social_logins,
        uow,
    });
    member_data
        .erase(
            member,
            jangteo_app::ErasureConfirmation::Password(
                PlainPassword::parse("a long enough password").unwrap(),
            ),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn every_stored_event_matches_its_published_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteEventStore::open(&dir.path().join("events.sqlite")).await.unwrap());
    every_kind_of_event(&store, dir.path()).await;

    let mut seen = BTreeSet::new();
    for event in store.read_all(0, 1000).await.unwrap() {
        let entry = registry::event(&event.stream_type, &event.event_type).unwrap_or_else(|| {
            panic!("{} of stream type {} is not in the registry", event.event_type, event.stream_type)
        });
        assert_eq!(
            event.schema_version,
            entry.current_version(),
            "{} is written with its current version",
            event.event_type
        );
        let path = schema_dir().join(format!("{}.v{}.json", event.event_type, event.schema_version));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no schema {}", path.display()));
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&event.payload).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{} does not match {}: {errors:?}\n{}",
            event.event_type,
            path.display(),
            event.payload
        );
        // Round trip: the stored payload decodes to its typed event and encodes to the same JSON.
        let aggregate = registry::aggregate(&event.stream_type).unwrap();
        let again =
            (aggregate.current_payload)(&event.event_type, event.schema_version, event.payload.clone())
                .unwrap_or_else(|error| panic!("{} does not decode: {error}", event.event_type));
        assert_eq!(again, event.payload, "{} changes in a round trip", event.event_type);
        seen.insert(format!("{}.v{}.json", event.event_type, event.schema_version));
    }

    // The published schemas are exactly the registry's: every version of every event type (older
    // ones stay published for the events stored before, upcast on read), and the application
    // produced every current one.
    let published: BTreeSet<String> = std::fs::read_dir(schema_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| std::path::Path::new(name).extension().is_some_and(|ext| ext == "json"))
        .collect();
    let entries = || registry::AGGREGATES.iter().flat_map(|aggregate| aggregate.events);
    let registered: BTreeSet<String> = entries()
        .flat_map(|entry| {
            entry.versions.iter().map(move |version| format!("{}.v{version}.json", entry.event_type))
        })
        .collect();
    let current: BTreeSet<String> =
        entries().map(|entry| format!("{}.v{}.json", entry.event_type, entry.current_version())).collect();
    assert_eq!(published, registered, "docs/events holds one schema per registered event type and version");
    assert_eq!(seen, current, "every registered event type is produced by the application");
}

#[test]
fn every_older_version_upcasts_to_a_payload_of_the_current_schema() {
    let load = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(schema_dir().join(name)).unwrap()).unwrap()
    };
    // A stored example of each superseded version, as events were written then.
    let examples = [
        (
            "order",
            "OrderPlaced",
            1,
            serde_json::json!({
                "order_id": "01930000-0000-7000-8000-000000000001",
                "listing_id": "01930000-0000-7000-8000-000000000004",
                "buyer_id": "01930000-0000-7000-8000-000000000002",
                "seller_id": "01930000-0000-7000-8000-000000000003",
                "price": 50_000
            }),
        ),
        (
            "order",
            "OrderPaid",
            1,
            serde_json::json!({
                "escrow_id": "01930000-0000-7000-8000-000000000030", "method": "card", "amount": 9_000
            }),
        ),
        (
            "listing",
            "ListingCreated",
            1,
            serde_json::json!({
                "listing_id": "01930000-0000-7000-8000-000000000004",
                "seller_id": "01930000-0000-7000-8000-000000000003",
                "title": "의자", "description": "", "price": 10_000, "category_id": null
            }),
        ),
        (
            "listing",
            "ListingReserved",
            1,
            serde_json::json!({
                "order_id": "01930000-0000-7000-8000-000000000001",
                "buyer_id": "01930000-0000-7000-8000-000000000002"
            }),
        ),
        (
            "listing",
            "ListingReservationReleased",
            1,
            serde_json::json!({ "order_id": "01930000-0000-7000-8000-000000000001" }),
        ),
        (
            "favourite",
            "ListingFavourited",
            1,
            serde_json::json!({
                "account_id": "01930000-0000-7000-8000-000000000002",
                "listing_id": "01930000-0000-7000-8000-000000000004"
            }),
        ),
        (
            "listing",
            "ListingSold",
            1,
            serde_json::json!({
                "order_id": "01930000-0000-7000-8000-000000000001",
                "buyer_id": "01930000-0000-7000-8000-000000000002"
            }),
        ),
    ];
    let older: BTreeSet<(&str, u32)> = registry::AGGREGATES
        .iter()
        .flat_map(|aggregate| aggregate.events)
        .flat_map(|entry| {
            let current = entry.current_version();
            entry.versions.iter().filter(move |v| **v != current).map(move |v| (entry.event_type, *v))
        })
        .collect();
    let covered: BTreeSet<(&str, u32)> =
        examples.iter().map(|(_, event_type, v, _)| (*event_type, *v)).collect();
    assert_eq!(covered, older, "an example for every superseded version");
    for (stream_type, event_type, version, stored) in examples {
        let old_schema = jsonschema::validator_for(&load(&format!("{event_type}.v{version}.json"))).unwrap();
        assert!(old_schema.is_valid(&stored), "{event_type} v{version} example matches its schema");
        let entry = registry::event(stream_type, event_type).unwrap();
        let upcast =
            (registry::aggregate(stream_type).unwrap().current_payload)(event_type, version, stored).unwrap();
        let current =
            jsonschema::validator_for(&load(&format!("{event_type}.v{}.json", entry.current_version())))
                .unwrap();
        assert!(current.is_valid(&upcast), "{event_type} v{version} upcasts to the current schema: {upcast}");
    }
}

#[test]
fn schemas_refuse_what_jangteo_would_never_store() {
    let text = std::fs::read_to_string(schema_dir().join("ListingPriceChanged.v1.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&serde_json::json!({"old_price": 1, "new_price": 2})));
    assert!(!validator.is_valid(&serde_json::json!({"old_price": -1, "new_price": 2})));
    assert!(!validator.is_valid(&serde_json::json!({"old_price": 1})));
    assert!(!validator.is_valid(&serde_json::json!({"old_price": 1, "new_price": 2, "extra": true})));
}
