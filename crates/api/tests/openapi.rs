//! The OpenAPI document and the reference page, served by the API's own routing (actix's test
//! service, no backend): both answer 200, the page's assets ship with the binary, and every
//! documented path is routed with exactly its documented methods.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use actix_web::{
    App,
    dev::ServiceResponse,
    http::{Method, StatusCode, header},
    test,
};
use serde_json::Value;

fn content_type(response: &ServiceResponse) -> String {
    response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

#[actix_web::test]
async fn the_document_and_the_page_answer_200() {
    let app = test::init_service(App::new().configure(jangteo_api::configure)).await;

    let response = test::call_service(&app, test::TestRequest::get().uri("/openapi.json").to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(content_type(&response).starts_with("application/json"));
    let document: Value = test::read_body_json(response).await;
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"].as_object().is_some_and(|paths| paths.len() > 20));

    let response = test::call_service(&app, test::TestRequest::get().uri("/docs").to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(content_type(&response).starts_with("text/html"));
    let page = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
    assert!(page.contains("<base href=\"/docs/\">"), "{page}");
    assert!(page.contains("swagger-ui"), "{page}");
    // The page names its assets relatively, and none of them lives elsewhere.
    assert!(!page.contains("https://") && !page.contains("http://"), "{page}");
}

#[actix_web::test]
async fn the_pages_assets_are_served_from_the_binary() {
    let app = test::init_service(App::new().configure(jangteo_api::configure)).await;
    for (asset, kind) in [
        ("swagger-ui.css", "text/css"),
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui-standalone-preset.js", "javascript"),
        ("swagger-initializer.js", "javascript"),
    ] {
        let request = test::TestRequest::get().uri(&format!("/docs/{asset}")).to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert!(content_type(&response).contains(kind), "{asset}: {}", content_type(&response));
        let body = test::read_body(response).await;
        assert!(!body.is_empty(), "{asset}");
        if asset == "swagger-initializer.js" {
            let script = String::from_utf8(body.to_vec()).unwrap();
            assert!(script.contains("/openapi.json"), "{script}");
            assert!(script.contains("\"validatorUrl\": \"none\""), "{script}");
        }
    }
    let response = test::call_service(&app, test::TestRequest::get().uri("/docs/nope.js").to_request()).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(content_type(&response), "application/problem+json");
}

/// A request with a method no path documents is answered 405 by the route, with the documented
/// methods in `Allow`: every documented path is served, with exactly those methods.
#[actix_web::test]
async fn every_documented_path_is_routed_with_its_documented_methods() {
    let app = test::init_service(App::new().configure(jangteo_api::configure)).await;
    let response = test::call_service(&app, test::TestRequest::get().uri("/openapi.json").to_request()).await;
    let document: Value = test::read_body_json(response).await;
    let id = "01936d3c-0000-7000-8000-000000000000";
    for (path, item) in document["paths"].as_object().unwrap() {
        let mut documented: Vec<String> =
            item.as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
        documented.sort();
        let uri = path.replace("{listing_id}", id).replace("{order_id}", id).replace("{file}", "index.html");
        let request = test::TestRequest::default().method(Method::TRACE).uri(&uri).to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "TRACE {path}");
        let allow = response.headers().get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap();
        let mut allowed: Vec<String> = allow.split(", ").map(str::to_owned).collect();
        allowed.sort();
        assert_eq!(allowed, documented, "{path}");
    }
}
