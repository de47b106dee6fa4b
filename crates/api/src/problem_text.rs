//! The Korean words of every problem: the title and a detail sentence per stable code.
//!
//! Problems are built in English (the title with the code's classification, the detail from the
//! error); [`localise`](crate::problem_language) puts them in Korean when the request prefers it,
//! which is the default. A detail that carries a particular (tries left, the time a listing may
//! be bumped again) keeps it: the Korean sentence is followed by the English detail in brackets
//! where the particular cannot be told without it.

/// Korean title and detail for `code`; `None` for a code missing here (a test holds the table
/// against `problem::CODES`).
#[allow(clippy::too_many_lines, reason = "a table: an entry per stable code")]
pub(crate) fn korean(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "malformed_json" => ("잘못된 JSON", "요청 본문이 올바른 JSON이 아닙니다."),
        "invalid_query" => ("잘못된 쿼리", "쿼리 문자열을 읽을 수 없습니다."),
        "cors_refused" => ("교차 출처 요청 거부", "이 출처에서 보낸 요청은 허용되지 않습니다."),
        "invalid_header" => ("잘못된 헤더", "요청 헤더 값을 읽을 수 없습니다."),
        "invalid_reset_token" => {
            ("잘못된 비밀번호 재설정 링크", "링크가 만료되었거나 이미 사용되었습니다. 새 링크를 요청하세요.")
        }
        "invalid_redirect_uri" => ("잘못된 리디렉션 주소", "허용된 리디렉션 주소가 아닙니다."),
        "invalid_oauth_state" => {
            ("잘못된 로그인 상태값", "소셜 로그인 요청을 찾을 수 없거나 만료되었습니다.")
        }
        "invalid_link_token" => ("잘못된 계정 연결 토큰", "계정 연결 요청을 찾을 수 없거나 만료되었습니다."),
        "social_sign_in_denied" => ("소셜 로그인 거부", "소셜 로그인 제공자가 로그인을 거부했습니다."),
        "social_code_refused" => {
            ("소셜 로그인 코드 거부", "소셜 로그인 제공자가 인가 코드를 받아들이지 않았습니다.")
        }
        "unauthorized" => ("인증 필요", "유효한 액세스 토큰이 필요합니다."),
        "invalid_mfa_token" => {
            ("잘못된 로그인 확인 요청", "2단계 인증 요청이 만료되었거나 올바르지 않습니다.")
        }
        "invalid_mfa_code" => ("잘못된 인증 코드", "인증 코드가 틀렸거나 이미 사용되었습니다."),
        "fresh_sign_in_required" => ("다시 로그인 필요", "이 작업을 하려면 다시 로그인하세요."),
        "invalid_credentials" => ("로그인 정보 불일치", "이메일 또는 비밀번호가 올바르지 않습니다."),
        "invalid_refresh_token" => ("잘못된 갱신 토큰", "갱신 토큰이 만료되었거나 세션이 끝났습니다."),
        "refresh_token_reused" => {
            ("갱신 토큰 재사용", "이미 사용된 갱신 토큰입니다. 보안을 위해 세션이 종료되었습니다.")
        }
        "payment_declined" => ("결제 거절", "결제사가 결제를 거절했습니다."),
        "forbidden" => ("권한 없음", "이 작업을 할 권한이 없습니다."),
        "not_found" => ("찾을 수 없음", "요청한 대상을 찾을 수 없습니다."),
        "social_provider_not_configured" => {
            ("지원하지 않는 소셜 로그인", "이 소셜 로그인 제공자는 설정되어 있지 않습니다.")
        }
        "method_not_allowed" => ("허용되지 않는 메서드", "이 경로는 이 HTTP 메서드를 지원하지 않습니다."),
        "already_exists" => ("이미 존재함", "같은 대상이 이미 있습니다."),
        "email_taken" => ("이미 가입된 이메일", "이 이메일로 가입한 회원이 이미 있습니다."),
        "mfa_already_enabled" => ("2단계 인증 사용 중", "2단계 인증이 이미 켜져 있습니다."),
        "mfa_not_pending" => ("확인할 2단계 인증 없음", "설정 중인 2단계 인증이 없습니다."),
        "mfa_not_enabled" => ("2단계 인증 꺼짐", "2단계 인증이 켜져 있지 않습니다."),
        "open_trades" => ("진행 중인 거래 있음", "진행 중인 주문이 있어 탈퇴할 수 없습니다."),
        "no_phone_verification" => ("진행 중인 휴대폰 인증 없음", "인증 번호를 새로 요청하세요."),
        "listing_not_available" => ("판매 중이 아님", "이 상품은 지금 주문할 수 없습니다."),
        "bump_too_soon" => ("끌올 대기 중", "끌올은 24시간에 한 번만 할 수 있습니다."),
        "review_window_closed" => {
            ("후기 작성 기간 지남", "거래 후기는 거래 완료 후 7일 안에만 쓸 수 있습니다.")
        }
        "invalid_state_transition" => ("할 수 없는 상태 변경", "지금 상태에서는 이 작업을 할 수 없습니다."),
        "concurrent_modification" => ("동시 수정", "다른 요청이 먼저 바꾸었습니다. 다시 시도하세요."),
        "payment_pending" => ("결제 진행 중", "결제가 아직 끝나지 않았습니다."),
        "payment_already_processed" => ("이미 처리된 결제", "이 결제는 이미 처리되었습니다."),
        "payment_already_refunded" => ("이미 환불된 결제", "이 결제는 이미 환불되었습니다."),
        "payment_not_refundable" => ("환불할 수 없는 결제", "이 결제는 환불할 수 없습니다."),
        "category_too_deep" => ("카테고리 깊이 초과", "카테고리는 3단계까지만 만들 수 있습니다."),
        "category_cycle" => {
            ("카테고리 순환", "카테고리를 자기 자신이나 하위 카테고리 아래로 옮길 수 없습니다.")
        }
        "category_name_taken" => ("카테고리 이름 중복", "같은 이름의 카테고리가 같은 위치에 있습니다."),
        "category_has_children" => {
            ("하위 카테고리 있음", "하위 카테고리가 있는 카테고리는 폐지할 수 없습니다.")
        }
        "category_retired" => ("폐지된 카테고리", "폐지된 카테고리입니다."),
        "category_tree_seeded" => ("카테고리 이미 생성됨", "기본 카테고리는 이미 만들어져 있습니다."),
        "image_too_large" => ("사진 용량 초과", "사진은 10MB까지 올릴 수 있습니다."),
        "unsupported_image" => ("지원하지 않는 사진 형식", "JPEG, PNG, WebP, HEIC 사진만 올릴 수 있습니다."),
        "invalid_image" => ("손상된 사진", "사진 파일을 읽을 수 없습니다."),
        "payload_too_large" => ("요청 본문 초과", "요청 본문이 너무 큽니다."),
        "unsupported_media_type" => ("지원하지 않는 형식", "요청 본문의 형식을 지원하지 않습니다."),
        "validation_failed" => ("입력값 오류", "입력값이 올바르지 않습니다. errors 항목을 확인하세요."),
        "invalid_body" => ("잘못된 본문 구조", "요청 본문의 구조가 올바르지 않습니다."),
        "invalid_phone_code" => ("인증 번호 불일치", "인증 번호가 틀렸습니다."),
        "consent_required" => ("동의 필요", "가입하려면 약관과 개인정보 처리방침에 동의해야 합니다."),
        "verified_email_required" => {
            ("인증된 이메일 필요", "소셜 로그인 제공자가 인증된 이메일을 알려 주지 않았습니다.")
        }
        "buyer_is_seller" => ("본인 상품", "자신의 상품은 주문할 수 없습니다."),
        "amount_mismatch" => ("금액 불일치", "결제 금액이 주문 금액과 다릅니다."),
        "return_not_accepted" => ("반품 불가", "단순 변심 반품은 받지 않습니다."),
        "category_not_leaf" => ("최하위 카테고리 아님", "상품은 최하위 카테고리에만 등록할 수 있습니다."),
        "unknown_category" => ("없는 카테고리", "카테고리를 찾을 수 없습니다."),
        "payment_not_found" => ("결제 없음", "결제를 찾을 수 없습니다."),
        "idempotency_key_reused" => ("멱등 키 재사용", "이 Idempotency-Key는 다른 요청에 쓰였습니다."),
        "rate_limited" => ("요청 과다", "요청이 너무 많습니다. 잠시 후 다시 시도하세요."),
        "too_many_attempts" => ("시도 횟수 초과", "시도가 너무 많습니다. 잠시 후 다시 시도하세요."),
        "internal_error" => ("서버 오류", "요청을 처리하지 못했습니다. 오류가 기록되었습니다."),
        "payment_gateway_misconfigured" => ("결제 설정 오류", "결제 연동 설정에 문제가 있습니다."),
        "social_provider_unavailable" => ("소셜 로그인 장애", "소셜 로그인 제공자에 연결할 수 없습니다."),
        "social_provider_invalid_answer" => {
            ("소셜 로그인 응답 오류", "소셜 로그인 제공자의 응답이 올바르지 않습니다.")
        }
        "not_caught_up" => {
            ("반영 대기", "요청한 변경이 아직 조회 모델에 반영되지 않았습니다. 잠시 후 다시 시도하세요.")
        }
        "read_model_unavailable" => {
            ("조회 모델 장애", "조회 저장소에 잠시 연결할 수 없습니다. 잠시 후 다시 시도하세요.")
        }
        "overloaded" => ("과부하", "서버가 바쁩니다. 잠시 후 다시 시도하세요."),
        "payment_gateway_unavailable" => {
            ("결제사 장애", "결제사에 연결할 수 없습니다. 잠시 후 다시 시도하세요.")
        }
        "geocoder_unavailable" => {
            ("위치 조회 장애", "동네를 찾는 서비스에 연결할 수 없습니다. 잠시 후 다시 시도하세요.")
        }
        "shutting_down" => ("서버 종료 중", "서버가 종료 중입니다. 다시 시도하세요."),
        _ => return None,
    })
}

/// Whether the English detail of `code` carries a particular the Korean sentence cannot tell
/// (so it follows the sentence).
pub(crate) fn keeps_particulars(code: &str) -> bool {
    matches!(
        code,
        "invalid_phone_code"
            | "bump_too_soon"
            | "review_window_closed"
            | "listing_not_available"
            | "invalid_state_transition"
            | "amount_mismatch"
            | "invalid_body"
            | "malformed_json"
            | "invalid_query"
            | "invalid_header"
            | "method_not_allowed"
    )
}
