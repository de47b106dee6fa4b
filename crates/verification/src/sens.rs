//! NAVER Cloud Platform SENS, SMS API v2: `POST /sms/v2/services/{serviceId}/messages`, signed
//! with the access key's secret (HMAC-SHA256 over `POST {path}\n{timestamp}\n{accessKey}`,
//! base64, in `x-ncp-apigw-signature-v2`). The API answers `202` with `statusCode: "202"` once it
//! took the message.

use std::time::Duration;

use async_trait::async_trait;
use base64::{Engine as _, engine::general_purpose::STANDARD};
use ring::hmac;
use serde::Deserialize;
use serde_json::json;

use crate::{SmsSender, TextMessage, VerificationError};

/// SENS's address; tests and sandboxes give their own.
pub const API_BASE: &str = "https://sens.apigw.ntruss.com";
const TIMEOUT: Duration = Duration::from_secs(10);

/// What a deployment registers with SENS.
#[derive(Clone)]
pub struct SensAccount {
    pub service_id: String,
    pub access_key: String,
    pub secret_key: String,
    /// The caller number registered with SENS (digits only).
    pub from: String,
}

impl std::fmt::Debug for SensAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SensAccount").field("service_id", &self.service_id).finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct SensSmsSender {
    client: reqwest::Client,
    base: String,
    account: SensAccount,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Accepted {
    status_code: String,
    status_name: Option<String>,
}

impl SensSmsSender {
    pub fn new(base: &str, account: SensAccount) -> Result<Self, VerificationError> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|error| VerificationError::Unavailable(error.to_string()))?;
        Ok(Self { client, base: base.trim_end_matches('/').to_owned(), account })
    }

    fn path(&self) -> String {
        format!("/sms/v2/services/{}/messages", self.account.service_id)
    }

    /// The request's signature, as SENS computes it to check.
    fn signature(&self, timestamp: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.account.secret_key.as_bytes());
        let message = format!("POST {}\n{timestamp}\n{}", self.path(), self.account.access_key);
        STANDARD.encode(hmac::sign(&key, message.as_bytes()).as_ref())
    }
}

#[async_trait]
impl SmsSender for SensSmsSender {
    async fn send(&self, message: TextMessage) -> Result<(), VerificationError> {
        let timestamp = chrono::Utc::now().timestamp_millis().to_string();
        let to: String = message.to.chars().filter(char::is_ascii_digit).collect();
        let body = json!({
            "type": "SMS",
            "contentType": "COMM",
            "countryCode": "82",
            "from": self.account.from,
            "content": message.text,
            "messages": [{"to": to}],
        });
        let response = self
            .client
            .post(format!("{}{}", self.base, self.path()))
            .header("x-ncp-apigw-timestamp", &timestamp)
            .header("x-ncp-iam-access-key", &self.account.access_key)
            .header("x-ncp-apigw-signature-v2", self.signature(&timestamp))
            .json(&body)
            .send()
            .await
            .map_err(|error| VerificationError::Unavailable(error.to_string()))?;
        let status = response.status();
        let text =
            response.text().await.map_err(|error| VerificationError::Unavailable(error.to_string()))?;
        if status.is_server_error() {
            return Err(VerificationError::Unavailable(format!("{status}: {text}")));
        }
        match serde_json::from_str::<Accepted>(&text) {
            Ok(accepted) if status.as_u16() == 202 && accepted.status_code == "202" => Ok(()),
            Ok(accepted) => Err(VerificationError::Refused(format!(
                "{} {}",
                accepted.status_code,
                accepted.status_name.unwrap_or_default()
            ))),
            Err(_) => Err(VerificationError::Refused(format!("{status}: {text}"))),
        }
    }

    fn describe(&self) -> String {
        format!("NAVER Cloud SENS at {}, service {}", self.base, self.account.service_id)
    }
}
