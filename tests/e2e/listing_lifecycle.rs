//! A listing's life beyond the sale, over HTTP: a leaf category and a place, moderation
//! (pending review, rejected, edited and published again, approved), units sold to racing buyers
//! without overselling, a bump once a day, and problems in Korean or English.

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Member, Profile, TestServer};

async fn create(server: &TestServer, seller: &Member, body: Value) -> String {
    let created = server.send(Method::POST, "/v1/listings", Some(&seller.token), Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["listing_id"].as_str().expect("listing_id").to_owned()
}

async fn publish(server: &TestServer, seller: &Member, listing_id: &str) -> (String, u64) {
    let path = format!("/v1/listings/{listing_id}/publish");
    let published = server.send(Method::POST, &path, Some(&seller.token), None).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    (published.body["status"].as_str().expect("status").to_owned(), published.position())
}

async fn moderation_sends_banned_words_to_admins(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let (seller, admin, member) =
        (server.member("판매자").await, server.member("관리자").await, server.member("회원").await);
    server.grant_role(&admin, "admin").await;

    // A category that is not a leaf is refused; the leaf is taken with a place.
    let not_leaf = json!({"title": "휴대폰", "price": 10_000, "category_id": "phones"});
    server
        .send(Method::POST, "/v1/listings", Some(&seller.token), Some(not_leaf))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "category_not_leaf");
    let listing_id = create(
        &server,
        &seller,
        json!({
            "title": "짝퉁 아이폰 케이스", "price": 12_000, "category_id": "iphone",
            "location": {"lat": 37.497_942, "lng": 127.027_621}
        }),
    )
    .await;
    let (status, position) = publish(&server, &seller, &listing_id).await;
    assert_eq!(status, "pending_review");

    // Waiting for review: the seller sees why, nobody else sees it at all.
    let path = format!("/v1/listings/{listing_id}");
    let mine = server.read_at(&path, Some(&seller.token), position).await;
    assert_eq!(mine["status"], "pending_review");
    assert_eq!(mine["review"]["reasons"], json!(["banned_words"]));
    assert_eq!(mine["category_id"], "iphone");
    assert_eq!(mine["location"], json!({"lat": 37.5, "lng": 127.03}), "shown to about a kilometre");
    server
        .send(Method::GET, &path, Some(&member.token), None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");

    // The queue is the admins'.
    server
        .send(Method::GET, "/v1/admin/listings?status=pending_review", Some(&member.token), None)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let queue =
        server.read_at("/v1/admin/listings?status=pending_review", Some(&admin.token), position).await;
    let queued: Vec<&str> =
        queue["items"].as_array().unwrap().iter().filter_map(|item| item["listing_id"].as_str()).collect();
    assert_eq!(queued, vec![listing_id.as_str()]);

    // Rejected with a reason; only an admin may; the seller edits and publishes again, and the
    // honest title goes on sale by itself.
    let rejection = format!("/v1/admin/listings/{listing_id}/rejection");
    let reason = json!({"reason": "가품은 판매할 수 없어요"});
    server
        .send(Method::POST, &rejection, Some(&seller.token), Some(reason.clone()))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    let rejected = server.send(Method::POST, &rejection, Some(&admin.token), Some(reason)).await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    let mine = server.read_at(&path, Some(&seller.token), rejected.position()).await;
    assert_eq!(mine["review"]["rejection_reason"], "가품은 판매할 수 없어요");
    let edit = json!({"title": "정품 아이폰 케이스"});
    let edited = server.send(Method::PATCH, &path, Some(&seller.token), Some(edit)).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let (status, position) = publish(&server, &seller, &listing_id).await;
    assert_eq!(status, "on_sale");
    let shown = server.read_at(&path, Some(&member.token), position).await;
    assert_eq!(shown["title"], "정품 아이폰 케이스");
    assert!(shown.get("review").is_none(), "{shown}");

    // Another one waits and an admin approves it.
    let second = create(&server, &seller, json!({"title": "레플리카 시계", "price": 30_000})).await;
    assert_eq!(publish(&server, &seller, &second).await.0, "pending_review");
    let approval = format!("/v1/admin/listings/{second}/approval");
    let approved = server.send(Method::POST, &approval, Some(&admin.token), None).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "on_sale");
    // Approving twice is a conflict, not a second approval.
    server
        .send(Method::POST, &approval, Some(&admin.token), None)
        .await
        .assert_problem(StatusCode::CONFLICT, "invalid_state_transition");
}

async fn three_units_go_to_three_of_ten_racing_buyers(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let mut buyers = Vec::new();
    for n in 0..10 {
        buyers.push(server.member(&format!("구매자{n}")).await);
    }
    let listing_id =
        create(&server, &seller, json!({"title": "아이폰 15 케이스 새상품", "price": 8_000, "quantity": 3}))
            .await;
    publish(&server, &seller, &listing_id).await;

    let attempts = buyers.iter().map(|buyer| {
        let body = json!({"listing_id": listing_id});
        server.send(Method::POST, "/v1/orders", Some(&buyer.token), Some(body))
    });
    let replies = join_all(attempts).await;
    let placed: Vec<_> = replies.iter().filter(|reply| reply.status == StatusCode::CREATED).collect();
    assert_eq!(placed.len(), 3, "three units, three orders");
    for refused in replies.iter().filter(|reply| reply.status != StatusCode::CREATED) {
        refused.assert_problem(StatusCode::CONFLICT, "listing_not_available");
    }
    let last = placed.iter().map(|reply| reply.position()).max().unwrap_or_default();
    let shown = server.read_at(&format!("/v1/listings/{listing_id}"), Some(&seller.token), last).await;
    assert_eq!((shown["quantity"].as_u64(), shown["available"].as_u64()), (Some(3), Some(0)));
    assert_eq!(shown["status"], "reserved");

    // Two units at once: more than is left is refused, whatever was left is not oversold.
    let pair = create(&server, &seller, json!({"title": "충전기", "price": 5_000, "quantity": 2})).await;
    publish(&server, &seller, &pair).await;
    server
        .send(
            Method::POST,
            "/v1/orders",
            Some(&buyers[0].token),
            Some(json!({"listing_id": pair, "quantity": 3})),
        )
        .await
        .assert_problem(StatusCode::CONFLICT, "listing_not_available");
    let both = server
        .send(
            Method::POST,
            "/v1/orders",
            Some(&buyers[0].token),
            Some(json!({"listing_id": pair, "quantity": 2})),
        )
        .await;
    assert_eq!(both.status, StatusCode::CREATED, "{}", both.body);
    let order = server
        .read_at(
            &format!("/v1/orders/{}", both.body["order_id"].as_str().unwrap()),
            Some(&buyers[0].token),
            both.position(),
        )
        .await;
    assert_eq!(order["price"], 10_000, "two units at 5,000 won");
}

async fn a_listing_is_bumped_once_a_day(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let older = create(&server, &seller, json!({"title": "캠핑 의자", "price": 20_000})).await;
    publish(&server, &seller, &older).await;
    let newer = create(&server, &seller, json!({"title": "캠핑 테이블", "price": 40_000})).await;
    let (_, position) = publish(&server, &seller, &newer).await;
    let newest_first = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["listing_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let before = server.read_at("/v1/listings", None, position).await;
    assert_eq!(newest_first(&before), vec![newer.clone(), older.clone()]);

    let bump = format!("/v1/listings/{older}/bump");
    let bumped = server.send(Method::POST, &bump, Some(&seller.token), None).await;
    assert_eq!(bumped.status, StatusCode::OK, "{}", bumped.body);
    let after = server.read_at("/v1/listings", None, bumped.position()).await;
    assert_eq!(newest_first(&after), vec![older.clone(), newer.clone()], "the bump moved it up");

    // Again the same day: refused, in Korean by default and in English when asked.
    let again = server.send(Method::POST, &bump, Some(&seller.token), None).await;
    again.assert_problem(StatusCode::CONFLICT, "bump_too_soon");
    assert_eq!(again.body["title"], "끌올 대기 중", "{}", again.body);
    let english = server
        .request(Method::POST, &bump, Some(&seller.token))
        .header("Accept-Language", "en-US,en;q=0.9")
        .send()
        .await
        .expect("request failed");
    assert_eq!(english.headers().get("content-language").and_then(|v| v.to_str().ok()), Some("en"));
    let english: Value = english.json().await.expect("a problem");
    assert_eq!(english["code"], "bump_too_soon");
    assert!(
        english["detail"].as_str().is_some_and(|detail| detail.contains("can be bumped again")),
        "{english}"
    );
    let other = server.member("다른회원").await;
    server
        .send(Method::POST, &bump, Some(&other.token), None)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
}

on_both_profiles!(
    moderation_sends_banned_words_to_admins_embedded,
    moderation_sends_banned_words_to_admins_on_postgres,
    moderation_sends_banned_words_to_admins
);
on_both_profiles!(
    three_units_go_to_three_of_ten_racing_buyers_embedded,
    three_units_go_to_three_of_ten_racing_buyers_on_postgres,
    three_units_go_to_three_of_ten_racing_buyers
);
on_both_profiles!(
    a_listing_is_bumped_once_a_day_embedded,
    a_listing_is_bumped_once_a_day_on_postgres,
    a_listing_is_bumped_once_a_day
);

/// A small PNG of one colour: a different colour, a different photo.
fn png(red: u8) -> Vec<u8> {
    let pixels = image::RgbImage::from_pixel(64, 48, image::Rgb([red, 120, 200]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    pixels.write_to(&mut bytes, image::ImageFormat::Png).expect("encoding a PNG");
    bytes.into_inner()
}

async fn upload(
    server: &TestServer,
    seller: &Member,
    listing_id: &str,
    bytes: Vec<u8>,
) -> crate::support::Reply {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("photo.png");
    let form = reqwest::multipart::Form::new().part("image", part);
    let path = format!("/v1/listings/{listing_id}/images");
    let response = server.request(Method::POST, &path, Some(&seller.token)).multipart(form).send().await;
    crate::support::Reply::from(response.expect("request failed")).await
}

async fn three_photos_and_a_meeting_place(profile: &Profile, settings: &[(&str, &str)]) {
    let server = TestServer::start_with(profile, settings).await;
    let (seller, other) = (server.member("판매자").await, server.member("다른회원").await);
    let listing_id = create(
        &server,
        &seller,
        json!({"title": "자전거", "price": 90_000, "location": {"lat": 37.4979, "lng": 127.0276}}),
    )
    .await;
    let mut image_ids = Vec::new();
    for red in [10, 90, 170] {
        let added = upload(&server, &seller, &listing_id, png(red)).await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
        assert_eq!((added.body["width"].as_u64(), added.body["height"].as_u64()), (Some(64), Some(48)));
        image_ids.push(added.body["image_id"].as_str().unwrap().to_owned());
    }
    // Not the seller's to add to; not an image at all.
    upload(&server, &other, &listing_id, png(1)).await.assert_problem(StatusCode::FORBIDDEN, "forbidden");
    upload(&server, &seller, &listing_id, b"just some text".to_vec())
        .await
        .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_image");

    // Reordered: the last is the cover now; then the middle one removed.
    let order = json!({"image_ids": [image_ids[2], image_ids[0], image_ids[1]]});
    let path = format!("/v1/listings/{listing_id}/images/order");
    let reordered = server.send(Method::PUT, &path, Some(&seller.token), Some(order)).await;
    assert_eq!(reordered.status, StatusCode::OK, "{}", reordered.body);
    let (_, position) = publish(&server, &seller, &listing_id).await;
    let shown = server.read_at(&format!("/v1/listings/{listing_id}"), None, position).await;
    let shown_ids: Vec<&str> =
        shown["images"].as_array().unwrap().iter().map(|i| i["image_id"].as_str().unwrap()).collect();
    assert_eq!(shown_ids, vec![image_ids[2].as_str(), image_ids[0].as_str(), image_ids[1].as_str()]);
    assert!(shown["neighbourhood"].as_str().is_some_and(|name| name.ends_with('동')), "{shown}");

    // The original and its thumbnail are served, as the listing links them.
    let cover = &shown["images"][0];
    for (link, content_type) in [("url", "image/png"), ("thumbnail_url", "image/jpeg")] {
        let file = server.request(Method::GET, cover[link].as_str().unwrap(), None).send().await.unwrap();
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(file.headers()["content-type"], content_type);
        assert!(!file.bytes().await.unwrap().is_empty());
    }
    server
        .send(Method::GET, "/v1/images/..%2Fidentity.sqlite", None, None)
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");

    let removal = format!("/v1/listings/{listing_id}/images/{}", image_ids[0]);
    let removed = server.send(Method::DELETE, &removal, Some(&seller.token), None).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let shown = server.read_at(&format!("/v1/listings/{listing_id}"), None, removed.position()).await;
    assert_eq!(shown["images"].as_array().map(Vec::len), Some(2));
    let gone =
        server.request(Method::GET, &format!("/v1/images/{}.png", image_ids[0]), None).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND, "a removed photo's file is deleted");

    // Another seller's listing with the same photo (the cover's bytes) goes to review, and an
    // admin finds both listings by the photo's SHA-256.
    let copy = create(&server, &other, json!({"title": "자전거 팝니다", "price": 80_000})).await;
    let added = upload(&server, &other, &copy, png(170)).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let (status, position) = publish(&server, &other, &copy).await;
    assert_eq!(status, "pending_review", "a copied photo");
    let mine = server.read_at(&format!("/v1/listings/{copy}"), Some(&other.token), position).await;
    assert_eq!(mine["review"]["reasons"], json!(["reused_photo"]), "{mine}");
    let sha256 = crate::support::sha256_hex(&png(170));
    let admin = server.member("관리자").await;
    server.grant_role(&admin, "admin").await;
    let path = format!("/v1/admin/photos/{sha256}/listings");
    let matches = server.read_at(&path, Some(&admin.token), position).await;
    let found: Vec<&str> =
        matches["items"].as_array().unwrap().iter().map(|i| i["listing_id"].as_str().unwrap()).collect();
    assert_eq!(found, vec![copy.as_str(), listing_id.as_str()], "newest first");
    assert_eq!(matches["sellers"], 2);
    server
        .send(Method::GET, &path, Some(&other.token), None)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
    server
        .send(Method::GET, "/v1/admin/photos/not-a-digest/listings", Some(&admin.token), None)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // Where to meet: public places between a buyer at City Hall and the seller's place.
    let places = server
        .send(
            Method::GET,
            &format!("/v1/meeting-places?near=37.5663,126.9779&listing_id={listing_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(places.status, StatusCode::OK, "{}", places.body);
    let items = places.body["items"].as_array().unwrap();
    assert!(
        !items.is_empty() && items.iter().all(|place| place["kind"] == "subway_station"),
        "{}",
        places.body
    );
    let farther = |place: &Value| {
        place["distance_km"].as_f64().unwrap().max(place["other_distance_km"].as_f64().unwrap())
    };
    assert!(items.windows(2).all(|pair| farther(&pair[0]) <= farther(&pair[1]) + 1e-9), "fairest first");
}

#[tokio::test]
async fn three_photos_and_a_meeting_place_embedded() {
    three_photos_and_a_meeting_place(&Profile::Embedded, &[]).await;
}

#[tokio::test]
async fn three_photos_and_a_meeting_place_on_postgres_and_s3() {
    let Some(database) = crate::support::TestDatabase::create().await else { return };
    let Some(s3) = jangteo_test_support::S3Server::start() else { return };
    let settings = [
        ("JANGTEO_S3_ENDPOINT", s3.endpoint.as_str()),
        ("JANGTEO_S3_BUCKET", s3.bucket.as_str()),
        ("JANGTEO_S3_ACCESS_KEY", s3.access_key.as_str()),
        ("JANGTEO_S3_SECRET_KEY", s3.secret_key.as_str()),
        ("JANGTEO_S3_REGION", s3.region.as_str()),
    ];
    let profile = Profile::Postgres(database);
    three_photos_and_a_meeting_place(&profile, &settings).await;
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}

async fn found_by_compound_initials_typo_radius_and_category(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매자").await;
    let gangnam = json!({"lat": 37.4979, "lng": 127.0276});
    let suwon = json!({"lat": 37.2636, "lng": 127.0286});
    let phone = create(
        &server,
        &seller,
        json!({"title": "아이폰15프로맥스 256기가", "price": 1_100_000, "category_id": "iphone", "location": gangnam}),
    )
    .await;
    publish(&server, &seller, &phone).await;
    let bike = create(
        &server,
        &seller,
        json!({"title": "접이식자전거 팝니다", "price": 150_000, "location": suwon}),
    )
    .await;
    let (_, position) = publish(&server, &seller, &bike).await;

    let found = |query: &str| {
        let path = format!("/v1/listings?{query}");
        let server = &server;
        async move {
            let page = server.read_at(&path, None, position).await;
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["listing_id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("q=아이폰").await, vec![phone.clone()], "a word inside a compound");
    assert_eq!(found("q=자전거").await, vec![bike.clone()], "the end of a compound");
    assert_eq!(found("q=ㅇㅇㅍ").await, vec![phone.clone()], "initials");
    assert_eq!(found("q=iphone").await, vec![phone.clone()], "the brand in Latin letters");
    assert_eq!(found("q=접이식자전저").await, vec![bike.clone()], "one keystroke off");
    assert_eq!(found("category=digital").await, vec![phone.clone()], "a category finds its descendants");
    assert_eq!(found("near=37.50,127.03&radius_km=3").await, vec![phone.clone()], "within 3 km of 강남");
    let near =
        server.read_at("/v1/listings?near=37.50,127.03&radius_km=100&sort=distance", None, position).await;
    let distances: Vec<f64> =
        near["items"].as_array().unwrap().iter().map(|i| i["distance_km"].as_f64().unwrap()).collect();
    assert_eq!(distances.len(), 2);
    assert!(distances[0] < 1.0 && distances[1] > 20.0, "closest first: {distances:?}");
    server
        .send(Method::GET, "/v1/listings?category=no-such-thing", None, None)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown_category");

    let suggestions = server.send(Method::GET, "/v1/search/suggestions?q=아이ㅍ", None, None).await;
    assert_eq!(suggestions.status, StatusCode::OK, "{}", suggestions.body);
    let texts: Vec<&str> =
        suggestions.body["items"].as_array().unwrap().iter().filter_map(|i| i["text"].as_str()).collect();
    assert!(texts.iter().any(|text| text.starts_with("아이폰")), "{texts:?}");
}

on_both_profiles!(
    found_by_compound_initials_typo_radius_and_category_embedded,
    found_by_compound_initials_typo_radius_and_category_on_postgres,
    found_by_compound_initials_typo_radius_and_category
);
