//! Error responses in the document. Every error leaves as `application/problem+json`; an
//! operation's annotation names the refusals of its own (`409 email_taken`), and this modifier
//! adds the ones that follow from what the operation takes (a JSON body, a bearer token, an id in
//! the path, query parameters, headers) and from the middleware every request passes (the rate
//! limiter, the draining on shutdown), so that no operation forgets one.

use utoipa::{
    Modify,
    openapi::{
        Content, HttpMethod, OpenApi, Ref, RefOr, Response,
        header::Header,
        path::{Operation, ParameterIn, PathItem},
        schema::{ObjectBuilder, Type},
    },
};

use crate::{SERVED_WHILE_DRAINING, UNLIMITED_PATHS, consistency};

pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// A response header some errors carry.
#[derive(Clone, Copy)]
enum ErrorHeader {
    RetryAfter,
    WwwAuthenticate,
}

/// One refusal shared by many operations: status, stable code, when.
struct Shared {
    status: u16,
    code: &'static str,
    when: &'static str,
    header: Option<ErrorHeader>,
}

const fn shared(status: u16, code: &'static str, when: &'static str) -> Shared {
    Shared { status, code, when, header: None }
}

/// Gives every error response the problem body and adds the shared refusals.
pub(crate) struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            for (method, operation) in operations(item) {
                for response in operation.responses.responses.iter_mut().filter_map(error_response) {
                    if response.content.is_empty() {
                        response.content.insert(PROBLEM_JSON.to_owned(), problem_content());
                    }
                }
                for refusal in shared_refusals(path, &method, operation) {
                    add(operation, &refusal);
                }
            }
        }
    }
}

/// The operations of one path, by method.
pub(crate) fn operations(item: &mut PathItem) -> impl Iterator<Item = (HttpMethod, &mut Operation)> {
    [
        (HttpMethod::Get, &mut item.get),
        (HttpMethod::Put, &mut item.put),
        (HttpMethod::Post, &mut item.post),
        (HttpMethod::Delete, &mut item.delete),
        (HttpMethod::Options, &mut item.options),
        (HttpMethod::Head, &mut item.head),
        (HttpMethod::Patch, &mut item.patch),
        (HttpMethod::Trace, &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_mut().map(|operation| (method, operation)))
}

/// The response of a 4xx or 5xx status, when it is written out (not a reference).
fn error_response<'a>((status, response): (&String, &'a mut RefOr<Response>)) -> Option<&'a mut Response> {
    let is_error = status.parse::<u16>().is_ok_and(|status| status >= 400);
    match response {
        RefOr::T(response) if is_error => Some(response),
        _ => None,
    }
}

fn shared_refusals(path: &str, method: &HttpMethod, operation: &Operation) -> Vec<Shared> {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let takes = |place: ParameterIn| parameters.iter().any(|parameter| parameter.parameter_in == place);
    let mut refusals = Vec::new();
    if operation.request_body.is_some() {
        refusals.extend([
            shared(400, "malformed_json", "the body is not JSON"),
            shared(413, "payload_too_large", "the body is over 64 KiB"),
            shared(415, "unsupported_media_type", "the body is not `application/json`"),
            shared(422, "invalid_body", "JSON of the wrong shape (a wrong type, a missing or unknown field)"),
        ]);
    }
    if takes(ParameterIn::Query) {
        refusals.push(shared(400, "invalid_query", "a query parameter cannot be read"));
    }
    if takes(ParameterIn::Header) {
        refusals.push(shared(400, "invalid_header", "a header cannot be read"));
    }
    if operation.security.as_ref().is_some_and(|security| !security.is_empty()) {
        refusals.push(Shared {
            header: Some(ErrorHeader::WwwAuthenticate),
            ..shared(401, "unauthorized", "the bearer token is missing, malformed or expired")
        });
    }
    let commands = path.starts_with("/v1/") && path != "/v1/sessions";
    if commands && *method != HttpMethod::Get {
        refusals.push(shared(
            409,
            "concurrent_modification",
            "the object kept changing under the command; retry",
        ));
    }
    let named = |name: &str| parameters.iter().any(|parameter| parameter.name.eq_ignore_ascii_case(name));
    if named(consistency::IDEMPOTENCY_KEY) {
        refusals.push(shared(
            422,
            "idempotency_key_reused",
            "the `Idempotency-Key` was used for another request",
        ));
    }
    if takes(ParameterIn::Path) {
        refusals.push(shared(404, "not_found", "no such object, or a path segment that is not a valid id"));
    }
    if !UNLIMITED_PATHS.contains(&path) {
        refusals.push(Shared {
            header: Some(ErrorHeader::RetryAfter),
            ..shared(429, "rate_limited", "over the per-IP limit; `Retry-After` says when to come back")
        });
    }
    if path != "/healthz" {
        refusals.push(shared(500, "internal_error", "logged on the server; no detail is sent"));
    }
    let retry = |refusal: Shared| Shared { header: Some(ErrorHeader::RetryAfter), ..refusal };
    if named(consistency::CONSISTENCY_POSITION) {
        refusals.push(retry(shared(503, "not_caught_up", "`X-Consistency-Position` not reached within 2 s")));
        // The header is what the queries of the read models take: the same queries fail over to
        // "come back shortly" while a read model's server is down.
        refusals.push(retry(shared(
            503,
            "read_model_unavailable",
            "a read model this query reads cannot be reached or did not answer in time",
        )));
    }
    if path.starts_with("/v1/") {
        refusals.push(retry(shared(503, "overloaded", "every event-store connection stayed busy for 3 s")));
    }
    if !SERVED_WHILE_DRAINING.contains(&path) {
        refusals.push(retry(shared(
            503,
            "shutting_down",
            "the server is stopping; retry on another instance",
        )));
    }
    refusals
}

/// Adds one refusal to the operation's response of its status, creating the response if needed.
fn add(operation: &mut Operation, refusal: &Shared) {
    let line = format!("- `{}`: {}", refusal.code, refusal.when);
    let entry = operation
        .responses
        .responses
        .entry(refusal.status.to_string())
        .or_insert_with(|| RefOr::T(Response::new("")));
    let RefOr::T(response) = entry else { return };
    response.description =
        if response.description.is_empty() { line } else { format!("{}\n{line}", response.description) };
    response.content.entry(PROBLEM_JSON.to_owned()).or_insert_with(problem_content);
    if let Some(header) = refusal.header {
        let (name, value) = match header {
            ErrorHeader::RetryAfter => ("Retry-After", retry_after()),
            ErrorHeader::WwwAuthenticate => ("WWW-Authenticate", www_authenticate()),
        };
        response.headers.entry(name.to_owned()).or_insert(value);
    }
}

fn problem_content() -> Content {
    Content::new(Some(Ref::from_schema_name("Problem")))
}

fn retry_after() -> Header {
    let mut header = Header::new(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)));
    header.description = Some("Seconds to wait before retrying.".to_owned());
    header
}

fn www_authenticate() -> Header {
    let mut header = Header::new(ObjectBuilder::new().schema_type(Type::String));
    header.description = Some("`Bearer realm=\"jangteo\"`".to_owned());
    header
}
