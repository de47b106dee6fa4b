//! The dependency directions docs/ARCHITECTURE.md states, checked on `cargo metadata`: the domain
//! depends on nothing that does IO, keeps time or talks to a server; ports never depend on the
//! application or the API; only the binary knows every crate. A change that breaks a direction
//! fails here, before it becomes a habit.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "a failed expectation is a failed test")]

use std::{collections::BTreeMap, process::Command};

use serde_json::Value;

/// Each workspace crate's normal (not dev, not build) dependencies, by package name.
fn dependencies() -> BTreeMap<String, Vec<(String, Value)>> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("running cargo metadata");
    assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    metadata["packages"]
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
fn dependencies_point_inward() {
    let all = dependencies();
    let uses = |krate: &str, dependency: &str| names(&all[krate]).contains(&dependency);
    // The application and the ports below it never know the layers above them.
    let above = ["jangteo-api", "jangteo"];
    for krate in [
        "jangteo-domain",
        "jangteo-event-store",
        "jangteo-event-stream",
        "jangteo-read-models",
        "jangteo-payments",
        "jangteo-shipping",
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
        "jangteo-read-models",
        "jangteo-payments",
        "jangteo-shipping",
        "jangteo-projections",
    ] {
        assert!(!uses(krate, "jangteo-app"), "{krate} depends on jangteo-app");
    }
    // Only the event store and read-model adapters know SQL; only the stream knows Kafka; only
    // the API knows HTTP serving.
    for (driver, owners) in [
        ("sqlx", &["jangteo-event-store", "jangteo-read-models"][..]),
        ("rdkafka", &["jangteo-event-stream"][..]),
        ("actix-web", &["jangteo-api", "jangteo"][..]),
        ("mongodb", &["jangteo-read-models"][..]),
        ("elasticsearch", &["jangteo-read-models"][..]),
        ("tantivy", &["jangteo-read-models"][..]),
    ] {
        for (krate, dependencies) in &all {
            if krate.starts_with("jangteo") && krate != "jangteo-benches" && krate != "jangteo-test-support" {
                let knows = names(dependencies).contains(&driver);
                assert!(!knows || owners.contains(&krate.as_str()), "{krate} depends on {driver}");
            }
        }
    }
}
