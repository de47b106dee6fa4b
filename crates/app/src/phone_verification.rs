//! Phone verification (본인인증's first step): a 6-digit code goes to the number by SMS; the
//! member sends it back within [`CODE_LIFETIME`], in at most [`ATTEMPTS`] tries, and the number
//! is theirs (`PhoneVerified`).
//!
//! The code is kept only as a keyed digest (the vault's blind index), the number sealed under
//! the member's data key, both in the identity store, never in the log until verified. A new
//! code waits [`RESEND_AFTER`] after the last one, so nobody can flood a phone with messages.

use std::sync::Arc;

use chrono::Duration;
use jangteo_domain::{
    AccountId, PhoneNumber, SealedText,
    account::{AccountCommand, AccountState},
};
use jangteo_identity::{
    PendingPhone, PersonalDataVault, PersonalField, PhoneVerificationStore, crypto::random_array,
};
use jangteo_verification::{SmsSender, TextMessage};

use crate::{Actor, AppError, Clock, CommandContext, CommandReceipt, UnitOfWork};

/// How long a code stays good.
pub const CODE_LIFETIME: Duration = Duration::minutes(3);
/// Tries per code.
pub const ATTEMPTS: u32 = 5;
/// The least time between two codes for one member.
pub const RESEND_AFTER: Duration = Duration::seconds(30);
/// Blind-index scope of the codes' digests.
const CODE_SCOPE: &str = "phone_code";

#[derive(Clone)]
pub struct PhoneVerifications {
    uow: UnitOfWork,
    vault: PersonalDataVault,
    store: Arc<dyn PhoneVerificationStore>,
    sms: Arc<dyn SmsSender>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for PhoneVerifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneVerifications").field("sms", &self.sms.describe()).finish_non_exhaustive()
    }
}

/// Six random digits, uniformly (rejection sampling keeps `% 1_000_000` unbiased).
fn new_code() -> Result<String, AppError> {
    loop {
        let value = u32::from_be_bytes(random_array::<4>()?);
        if value < u32::MAX - u32::MAX % 1_000_000 {
            return Ok(format!("{:06}", value % 1_000_000));
        }
    }
}

impl PhoneVerifications {
    pub fn new(
        uow: &UnitOfWork,
        vault: &PersonalDataVault,
        store: Arc<dyn PhoneVerificationStore>,
        sms: Arc<dyn SmsSender>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { uow: uow.clone(), vault: vault.clone(), store, sms, clock }
    }

    fn digest(&self, account: AccountId, code: &str) -> String {
        self.vault.blind_index(CODE_SCOPE, &format!("{account}:{code}"))
    }

    /// Sends a code to `phone` for the member; returns how long it stays good.
    /// [`AppError::TooManyAttempts`] within [`RESEND_AFTER`] of the last code.
    pub async fn start(&self, account: AccountId, phone: &PhoneNumber) -> Result<Duration, AppError> {
        let now = self.clock.now();
        if let Some(pending) = self.store.pending_phone(account).await? {
            let next = pending.sent_at + RESEND_AFTER;
            if next > now {
                return Err(AppError::TooManyAttempts {
                    retry_after: (next - now).to_std().unwrap_or_default(),
                });
            }
        }
        let key = self.vault.member_key(account).await?.ok_or(AppError::NotFound)?;
        let code = new_code()?;
        let pending = PendingPhone {
            sealed_phone: key.seal(PersonalField::Phone, phone.as_str())?.as_str().to_owned(),
            code_digest: self.digest(account, &code),
            sent_at: now,
            expires_at: now + CODE_LIFETIME,
            attempts_left: ATTEMPTS,
        };
        // Stored only if the last code went out at least RESEND_AFTER ago, in one statement, so
        // a burst of requests sends one message.
        if !self.store.begin_phone_verification(account, &pending, now - RESEND_AFTER).await? {
            let last = self.store.pending_phone(account).await?.map_or(now, |pending| pending.sent_at);
            let retry_after = (last + RESEND_AFTER - now).to_std().unwrap_or_default();
            return Err(AppError::TooManyAttempts { retry_after });
        }
        let text = format!("[장터] 인증번호 {code} (3분 안에 입력하세요. 누구에게도 알려주지 마세요.)");
        if let Err(error) = self.sms.send(TextMessage { to: phone.as_str().to_owned(), text }).await {
            self.store.end_phone_verification(account).await?;
            return Err(AppError::internal("sending a verification code", error));
        }
        Ok(CODE_LIFETIME)
    }

    /// Takes the code back: the number is the member's. [`AppError::InvalidPhoneCode`] for a
    /// wrong code (a try spent); [`AppError::NoPhoneVerification`] when none is under way, it
    /// expired, or its tries are spent.
    pub async fn confirm(&self, account: AccountId, code: &str) -> Result<CommandReceipt, AppError> {
        let now = self.clock.now();
        let pending = self.store.pending_phone(account).await?.ok_or(AppError::NoPhoneVerification)?;
        if pending.expires_at <= now {
            self.store.end_phone_verification(account).await?;
            return Err(AppError::NoPhoneVerification);
        }
        let Some(left) = self.store.spend_phone_attempt(account).await? else {
            self.store.end_phone_verification(account).await?;
            return Err(AppError::NoPhoneVerification);
        };
        let presented = self.digest(account, code.trim());
        // Keyed digests compare in the clear: timing tells a guesser nothing about the code.
        if presented != pending.code_digest {
            if left == 0 {
                self.store.end_phone_verification(account).await?;
            }
            return Err(AppError::InvalidPhoneCode { attempts_left: left });
        }
        let sealed = SealedText::parse(&pending.sealed_phone)
            .map_err(|error| AppError::internal("reading a pending phone number", error))?;
        // The number verified goes into the same append as `PhoneVerified`, always: were it left
        // out when it is the one on file, a change of number committed meanwhile would be
        // verified in its place.
        let phone = Some(sealed);
        let command = AccountCommand::VerifyPhone { phone, at: now };
        let context = CommandContext::new(Actor::Member(account));
        let receipt = self.uow.execute::<AccountState>(account.as_uuid(), &context, &command).await?.receipt;
        self.store.end_phone_verification(account).await?;
        Ok(receipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = new_code().unwrap_or_default();
            assert_eq!(code.len(), 6, "{code}");
            assert!(code.bytes().all(|byte| byte.is_ascii_digit()), "{code}");
        }
    }
}
