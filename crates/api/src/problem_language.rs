//! Problems in the request's language: every `application/problem+json` answer, whoever built it
//! (a handler, an extractor, a middleware, the route table), leaves through here and gets its
//! `title` and `detail` in Korean unless `Accept-Language` prefers English, with
//! `Content-Language` saying which.

use actix_web::{
    body::{BoxBody, MessageBody, to_bytes_limited},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderValue},
    middleware::Next,
};
use serde_json::Value;

use crate::{language::Language, problem_text};

/// Problems are small; one larger than this is passed on untouched.
const MAX_PROBLEM_BYTES: usize = 64 * 1024;

pub(crate) async fn localise_problems(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let language = Language::negotiate(
        request.headers().get(header::ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()),
    );
    let http_request = request.request().clone();
    let response = match next.call(request).await {
        Ok(response) => response.map_into_boxed_body(),
        // A middleware's refusal: answered here, so that it is localised too.
        Err(error) => ServiceResponse::new(http_request, error.error_response()),
    };
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if !is_problem {
        return Ok(response);
    }
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let Ok(Ok(bytes)) = to_bytes_limited(body, MAX_PROBLEM_BYTES).await else {
        return Ok(ServiceResponse::new(request, head.set_body(BoxBody::new(()))));
    };
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut problem) => {
            localise(&mut problem, language);
            serde_json::to_vec(&problem).map_or(bytes, Into::into)
        }
        Err(_) => bytes,
    };
    head.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(language.tag()));
    Ok(ServiceResponse::new(request, head.set_body(BoxBody::new(body))))
}

/// Puts `problem`'s title and detail in `language` (they are built in English).
pub(crate) fn localise(problem: &mut Value, language: Language) {
    if language == Language::English {
        return;
    }
    let Some(code) = problem.get("code").and_then(Value::as_str) else { return };
    let Some((title, sentence)) = problem_text::korean(code) else { return };
    let english = problem.get("detail").and_then(Value::as_str).unwrap_or_default();
    let detail = if problem_text::keeps_particulars(code) && !english.is_empty() {
        format!("{sentence} ({english})")
    } else {
        sentence.to_owned()
    };
    problem["title"] = Value::from(title);
    problem["detail"] = Value::from(detail);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used, reason = "a failed expectation is a failed test")]

    use serde_json::json;

    use super::*;
    use crate::problem::CODES;

    #[test]
    fn every_code_has_korean_words() {
        let missing: Vec<&str> =
            CODES.iter().map(|(code, _)| *code).filter(|code| problem_text::korean(code).is_none()).collect();
        assert!(missing.is_empty(), "no Korean title and detail for {missing:?}");
    }

    #[test]
    fn a_problem_is_korean_by_default_and_english_when_asked() {
        let english = json!({
            "type": "urn:jangteo:problem:invalid_phone_code", "title": "Wrong code", "status": 422,
            "detail": "the code is wrong: 4 tries left", "code": "invalid_phone_code"
        });
        let mut korean = english.clone();
        localise(&mut korean, Language::negotiate(None));
        assert_eq!(korean["title"], "인증 번호 불일치");
        assert_eq!(korean["detail"], "인증 번호가 틀렸습니다. (the code is wrong: 4 tries left)");
        assert_eq!(korean["code"], "invalid_phone_code", "the code never changes");
        let mut kept = english.clone();
        localise(&mut kept, Language::negotiate(Some("en-US,en;q=0.9,ko;q=0.5")));
        assert_eq!(kept, english);
    }

    #[test]
    fn a_detail_without_particulars_is_the_sentence_alone() {
        let mut problem = json!({"title": "Not found", "detail": "no such listing", "code": "not_found"});
        localise(&mut problem, Language::Korean);
        assert_eq!(problem["detail"], "요청한 대상을 찾을 수 없습니다.");
    }
}
