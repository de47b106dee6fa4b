//! The dependency directions docs/ARCHITECTURE.md states, checked on `cargo metadata`: the domain
//! depends on nothing that does IO, keeps time or talks to a server; ports never depend on the
//! application or the API; only the binary knows every crate; the application layer, the API and
//! the projections compile no adapter. A change that breaks a direction fails here, before it
//! becomes a habit.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "a failed expectation is a failed test")]

use std::{collections::BTreeMap, process::Command};

use serde_json::Value;

/// The drivers and clients that make a crate an adapter: none of them may be compiled into the
/// application layer, the API or the projections.
const DRIVERS: [&str; 8] =
    ["sqlx", "tantivy", "mongodb", "redis", "elasticsearch", "reqwest", "rdkafka", "object_store"];

/// The crates that need only ports.
const PORT_USERS: [&str; 3] = ["jangteo-app", "jangteo-api", "jangteo-projections"];

/// The workspace's packages as `cargo metadata` describes them (without their dependencies').
fn metadata() -> Value {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("running cargo metadata");
    assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Each workspace crate's normal (not dev, not build) dependencies, by package name.
fn dependencies() -> BTreeMap<String, Vec<(String, Value)>> {
    metadata()["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| {
            let normal = package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dependency| dependency["kind"].is_null())
                .map(|dependency| (dependency["name"].as_str().unwrap().to_owned(), dependency.clone()))
                .collect();
            (package["name"].as_str().unwrap().to_owned(), normal)
        })
        .collect()
}

fn names(dependencies: &[(String, Value)]) -> Vec<&str> {
    dependencies.iter().map(|(name, _)| name.as_str()).collect()
}

#[test]
fn the_domain_depends_on_nothing_that_does_io_or_keeps_time() {
    let all = dependencies();
    let domain = &all["jangteo-domain"];
    let allowed = ["caseless", "chrono", "serde", "serde_json", "thiserror", "unicode-normalization", "uuid"];
    for name in names(domain) {
        assert!(allowed.contains(&name), "jangteo-domain depends on {name}");
    }
    let (_, chrono) = domain.iter().find(|(name, _)| name == "chrono").unwrap();
    assert_eq!(chrono["uses_default_features"], false, "chrono's defaults include the clock");
    let features: Vec<&str> =
        chrono["features"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(!features.contains(&"clock") && !features.contains(&"now"), "chrono features {features:?}");
}

#[test]
fn the_korean_analysis_is_pure() {
    // Both search adapters index what it computes; it does no IO and needs no crate.
    let all = dependencies();
    assert_eq!(names(&all["jangteo-korean-text"]), Vec::<&str>::new());
}

#[test]
fn dependencies_point_inward() {
    let all = dependencies();
    let uses = |krate: &str, dependency: &str| names(&all[krate]).contains(&dependency);
    // The application and the ports below it never know the layers above them.
    let above = ["jangteo-api", "jangteo"];
    for krate in [
        "jangteo-domain",
        "jangteo-korean-text",
        "jangteo-event-store",
        "jangteo-event-stream",
        "jangteo-identity",
        "jangteo-read-models",
        "jangteo-mail",
        "jangteo-verification",
        "jangteo-social-login",
        "jangteo-payments",
        "jangteo-shipping",
        "jangteo-media",
        "jangteo-geo",
        "jangteo-projections",
        "jangteo-app",
    ] {
        for layer in above {
            assert!(!uses(krate, layer), "{krate} depends on {layer}");
        }
    }
    // Adapters and projections do not depend on the application layer.
    for krate in [
        "jangteo-event-store",
        "jangteo-event-stream",
        "jangteo-identity",
        "jangteo-read-models",
        "jangteo-mail",
        "jangteo-verification",
        "jangteo-social-login",
        "jangteo-payments",
        "jangteo-shipping",
        "jangteo-media",
        "jangteo-geo",
        "jangteo-projections",
    ] {
        assert!(!uses(krate, "jangteo-app"), "{krate} depends on jangteo-app");
    }
    // Only the event store, identity and read-model adapters know SQL; only the stream knows Kafka; only
    // the API knows HTTP serving; only the mail adapters know SMTP; only the media crate knows S3.
    for (driver, owners) in [
        ("sqlx", &["jangteo-event-store", "jangteo-identity", "jangteo-read-models"][..]),
        ("rdkafka", &["jangteo-event-stream"][..]),
        ("actix-web", &["jangteo-api", "jangteo"][..]),
        ("mongodb", &["jangteo-read-models"][..]),
        ("elasticsearch", &["jangteo-read-models"][..]),
        ("tantivy", &["jangteo-read-models"][..]),
        ("redis", &["jangteo-read-models", "jangteo-api"][..]),
        (
            "reqwest",
            &[
                "jangteo-payments",
                "jangteo-shipping",
                "jangteo-verification",
                "jangteo-social-login",
                "jangteo-geo",
            ][..],
        ),
        ("lettre", &["jangteo-mail"][..]),
        ("object_store", &["jangteo-media"][..]),
    ] {
        for (krate, dependencies) in &all {
            if krate.starts_with("jangteo") && krate != "jangteo-benches" && krate != "jangteo-test-support" {
                let knows = names(dependencies).contains(&driver);
                assert!(!knows || owners.contains(&krate.as_str()), "{krate} depends on {driver}");
            }
        }
    }
}

/// The workspace crates that hold adapters behind features, with those features.
fn adapter_features() -> BTreeMap<String, Vec<String>> {
    metadata()["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|package| {
            let features: Vec<String> = package["features"]
                .as_object()
                .unwrap()
                .keys()
                .filter(|feature| *feature != "default")
                .cloned()
                .collect();
            let name = package["name"].as_str().unwrap();
            (name.starts_with("jangteo") && !features.is_empty()).then(|| (name.to_owned(), features))
        })
        .collect()
}

#[test]
fn ports_are_used_without_their_adapters() {
    let all = dependencies();
    let families = adapter_features();
    // The families this test knows of are all there, so a renamed feature cannot slip by.
    for (krate, expected) in [
        ("jangteo-event-store", &["postgres", "sqlite"][..]),
        ("jangteo-identity", &["postgres", "sqlite"][..]),
        ("jangteo-read-models", &["elasticsearch", "mongodb", "redis", "sqlite", "tantivy"][..]),
        ("jangteo-payments", &["portone", "toss"][..]),
        ("jangteo-shipping", &["tracker-delivery"][..]),
        ("jangteo-media", &["s3"][..]),
        ("jangteo-geo", &["kakao"][..]),
        ("jangteo-api", &["redis"][..]),
        ("jangteo-mail", &["lettre"][..]),
        ("jangteo-verification", &["sens"][..]),
        ("jangteo-social-login", &["naver", "oidc"][..]),
    ] {
        let features: Option<Vec<&str>> =
            families.get(krate).map(|features| features.iter().map(String::as_str).collect());
        assert_eq!(features.as_deref(), Some(expected), "{krate}'s adapter features");
    }
    for krate in PORT_USERS {
        for (dependency, manifest) in &all[krate] {
            if families.contains_key(dependency) {
                assert_eq!(
                    manifest["uses_default_features"], false,
                    "{krate} takes {dependency} with its default features"
                );
                assert_eq!(
                    manifest["features"].as_array().map(Vec::len),
                    Some(0),
                    "{krate} enables adapters of {dependency}: {}",
                    manifest["features"]
                );
            }
            // The event stream is the Kafka adapter as a whole.
            assert_ne!(dependency, "jangteo-event-stream", "{krate} depends on the Kafka adapter");
            // A driver of its own only behind a feature (the API's Redis rate limiter).
            assert!(
                !DRIVERS.contains(&dependency.as_str()) || manifest["optional"] == true,
                "{krate} always compiles {dependency}"
            );
        }
    }
    // Where an adapter family shares a crate with its port, its driver comes only with its feature.
    for krate in families.keys() {
        for (dependency, manifest) in &all[krate] {
            if DRIVERS.contains(&dependency.as_str()) {
                assert_eq!(manifest["optional"], true, "{krate} always compiles {dependency}");
            }
        }
    }
}

#[test]
fn the_application_api_and_projections_compile_no_driver() {
    for krate in PORT_USERS {
        // `-e normal` leaves the dev-dependencies out of the feature resolution too, so this is
        // what `cargo build -p <krate>` compiles.
        let output = Command::new(env!("CARGO"))
            .args(["tree", "-p", krate, "-e", "normal", "--offline", "--prefix", "none"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("running cargo tree");
        assert!(output.status.success(), "cargo tree: {}", String::from_utf8_lossy(&output.stderr));
        let tree = String::from_utf8(output.stdout).unwrap();
        let compiled: Vec<&str> = tree.lines().filter_map(|line| line.split_whitespace().next()).collect();
        assert!(compiled.contains(&krate), "cargo tree printed no {krate}: {tree}");
        for driver in DRIVERS {
            assert!(!compiled.contains(&driver), "{krate} compiles {driver}");
        }
    }
}
