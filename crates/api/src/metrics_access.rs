//! Who may read `/metrics` on the public listener. Metrics tell an outsider the traffic, the
//! lag and the backends' state, so by default only the machine itself (loopback) reads them; a
//! deployment gives its scraper a token (`JANGTEO_METRICS_TOKEN`) or an internal address of their
//! own (`JANGTEO_METRICS_LISTEN`, served by [`crate::serve_metrics`], the public listener then
//! refusing them to everyone).

use actix_web::{HttpRequest, http::header};

use crate::ApiError;

#[derive(Clone)]
pub enum MetricsAccess {
    /// Clients on the loopback interface only.
    Loopback,
    /// Any client presenting `Authorization: Bearer <token>` (and loopback clients).
    Token(String),
    /// Nobody here: metrics are served on another listener.
    Elsewhere,
}

impl std::fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MetricsAccess::Loopback => "Loopback",
            MetricsAccess::Token(_) => "Token(<redacted>)",
            MetricsAccess::Elsewhere => "Elsewhere",
        })
    }
}

impl MetricsAccess {
    pub(crate) fn check(&self, request: &HttpRequest) -> Result<(), ApiError> {
        // The client, not a proxy on this machine forwarding it.
        let loopback = crate::client_ip(request).is_some_and(|address| address.is_loopback());
        let allowed = match self {
            MetricsAccess::Loopback => loopback,
            MetricsAccess::Token(token) => {
                loopback || presented(request).is_some_and(|given| same(&given, token))
            }
            MetricsAccess::Elsewhere => false,
        };
        if allowed { Ok(()) } else { Err(ApiError::MetricsRefused) }
    }
}

fn presented(request: &HttpRequest) -> Option<String> {
    let value = request.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|token| token.trim().to_owned())
}

/// Compares digests, so the time taken says nothing of how much of the token was right.
fn same(given: &str, token: &str) -> bool {
    let digest = |text: &str| ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    digest(given).as_ref() == digest(token).as_ref()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test expectations")]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn from(ip: &str, token: Option<&str>) -> HttpRequest {
        let mut request =
            TestRequest::default().peer_addr(std::net::SocketAddr::new(ip.parse().unwrap(), 40000));
        if let Some(token) = token {
            request = request.insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
        }
        request.to_http_request()
    }

    #[test]
    fn metrics_go_to_loopback_to_the_token_and_to_nobody_else() {
        let token = MetricsAccess::Token("a-scraper-token-of-32-characters-x".to_owned());
        assert!(MetricsAccess::Loopback.check(&from("127.0.0.1", None)).is_ok());
        assert!(MetricsAccess::Loopback.check(&from("203.0.113.9", None)).is_err());
        assert!(token.check(&from("203.0.113.9", Some("a-scraper-token-of-32-characters-x"))).is_ok());
        assert!(token.check(&from("203.0.113.9", Some("a-scraper-token-of-32-characters-y"))).is_err());
        assert!(token.check(&from("203.0.113.9", None)).is_err());
        assert!(MetricsAccess::Elsewhere.check(&from("127.0.0.1", None)).is_err());
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
    }
}
