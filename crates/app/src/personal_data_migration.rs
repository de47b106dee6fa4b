//! The one-off rewrite of personal data written into the log in the clear.
//!
//! `AccountRegistered` v1 carried the member's e-mail, nickname and argon2 password hash in the
//! clear, and the e-mail's claim was its plain SHA-256 digest (which a dictionary of addresses
//! undoes). Upcasting on read would leave all of that in the event table, in every backup and on
//! every re-publication to Kafka, so these events are rewritten in place instead, once, as a
//! documented maintenance migration (docs/privacy.md): for each v1 registration the member gets a
//! data key, the password hash moves to the identity store, the event becomes v2 with e-mail and
//! nickname sealed, and the claim becomes the e-mail's blind index. Positions, ids, versions and
//! metadata stay, so checkpoints, idempotency records and timelines are unaffected.
//!
//! It runs at start (`serve`, `worker`, `migrate`) before anything reads the log and is recorded
//! as done in the identity store, so later starts skip it. Rerunning it after an interruption is
//! safe: data keys are created only where missing, and a rewritten event is v2 and skipped.

use jangteo_domain::{
    AccountId, Aggregate, DomainEvent, Email, PasswordHash,
    account::{AccountEvent, AccountState},
};
use jangteo_event_store::{ClaimRewrite, EventRewrite, EventStore, LogMaintenance};
use jangteo_identity::{CredentialStore, MaintenanceSteps, PersonalDataVault, PersonalField, crypto::hex};
use serde::Deserialize;

use crate::{AppError, accounts::EMAIL_CLAIM_SCOPE};

const STEP: &str = "seal_account_registered_v1";
/// Events read from the log at a time while looking for v1 registrations.
const PAGE: usize = 2048;

/// The v1 payload, read only here. The texts are taken as stored: they were valid when written,
/// whatever today's rules say.
#[derive(Deserialize)]
struct RegisteredV1 {
    account_id: AccountId,
    email: String,
    nickname: String,
    password_hash: PasswordHash,
}

/// What the migration needs.
pub struct PersonalDataMigration<'a> {
    pub store: &'a dyn EventStore,
    pub maintenance: &'a dyn LogMaintenance,
    pub vault: &'a PersonalDataVault,
    pub credentials: &'a dyn CredentialStore,
    pub steps: &'a dyn MaintenanceSteps,
}

impl PersonalDataMigration<'_> {
    /// Rewrites every v1 registration; returns how many there were (0 once done).
    pub async fn run(&self) -> Result<u64, AppError> {
        if self.steps.is_done(STEP).await? {
            return Ok(0);
        }
        let mut rewritten = 0_u64;
        let mut after = 0;
        loop {
            let page = self.store.read_all(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.global_position;
            let mut rewrites = Vec::new();
            for event in page.iter().filter(|event| {
                event.stream_type == AccountState::STREAM_TYPE
                    && event.event_type == "AccountRegistered"
                    && event.schema_version == 1
            }) {
                rewrites.push(self.rewrite(event.global_position, event.payload.clone()).await?);
            }
            if !rewrites.is_empty() {
                self.maintenance.rewrite_events(&rewrites).await?;
                rewritten += rewrites.len() as u64;
            }
        }
        self.steps.mark_done(STEP, chrono::Utc::now()).await?;
        if rewritten > 0 {
            tracing::info!(rewritten, "sealed the personal data of AccountRegistered v1 events");
        }
        Ok(rewritten)
    }

    async fn rewrite(&self, position: u64, payload: serde_json::Value) -> Result<EventRewrite, AppError> {
        let v1: RegisteredV1 = serde_json::from_value(payload)
            .map_err(|error| AppError::internal("reading an AccountRegistered v1 payload", error))?;
        let key = self.vault.create_member_key(v1.account_id).await?;
        self.credentials.set_password_hash(v1.account_id, &v1.password_hash, chrono::Utc::now()).await?;
        let sealed = AccountEvent::AccountRegistered {
            account_id: v1.account_id,
            email: key.seal(PersonalField::Email, &v1.email)?,
            nickname: key.seal(PersonalField::Nickname, &v1.nickname)?,
        };
        // The claim was the digest of the address as stored; the index is of the address as a
        // sign-in normalises it today, so that the member finds their account.
        let digest = ring::digest::digest(&ring::digest::SHA256, v1.email.as_bytes());
        let normalised = Email::parse(&v1.email).map_or(v1.email.clone(), |email| email.as_str().to_owned());
        Ok(EventRewrite {
            global_position: position,
            schema_version: sealed.schema_version(),
            payload: sealed.to_payload()?,
            claims: vec![ClaimRewrite {
                scope: EMAIL_CLAIM_SCOPE.to_owned(),
                old_value: hex(digest.as_ref()),
                new_value: self.vault.blind_index(EMAIL_CLAIM_SCOPE, &normalised),
            }],
        })
    }
}
