//! Two-factor sign-in with TOTP (RFC 6238) and recovery codes.
//!
//! A member stages a factor (a fresh secret, shown once as base32 and an `otpauth://` URI),
//! confirms it with a code from their app, and gets [`RECOVERY_CODES`] single-use recovery codes
//! (shown once, stored as digests). From then on a sign-in with the right password asks for a
//! code ([`crate::SignIns`]). The secret is kept sealed under the member's data key: erasing the
//! member erases it. A TOTP code is accepted once (the newest accepted step is kept); a
//! recovery code is used up.

use std::sync::Arc;

use data_encoding::BASE32_NOPAD;
use jangteo_domain::AccountId;
use jangteo_identity::{
    MfaStore, PersonalDataVault, PersonalField, TokenDigest, crypto::random_array, totp::TotpSecret,
};

use crate::{Accounts, AppError, Clock};

/// How many recovery codes a confirmation hands out.
pub const RECOVERY_CODES: usize = 10;
/// The issuer an authenticator app shows beside the code.
const ISSUER: &str = "Jangteo";

/// A factor being set up: what the member's app needs, shown once.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpEnrollment {
    /// The secret in base32, for typing into an app.
    pub secret: String,
    /// The same as an `otpauth://totp/` URI, for a QR code.
    pub otpauth_uri: String,
}

impl std::fmt::Debug for TotpEnrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrollment(<redacted>)")
    }
}

/// A recovery code as handed out: 80 random bits as 16 base32 characters in groups of four.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    fn generate() -> Result<Self, AppError> {
        let text = BASE32_NOPAD.encode(&random_array::<10>()?).to_lowercase();
        let groups: Vec<&str> = (0..4).filter_map(|group| text.get(group * 4..group * 4 + 4)).collect();
        Ok(Self(groups.join("-")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digest of a code as typed: without dashes or spaces, in any case.
    fn digest_of(typed: &str) -> TokenDigest {
        let normalized: String =
            typed.chars().filter(|c| !matches!(c, '-' | ' ')).map(|c| c.to_ascii_lowercase()).collect();
        TokenDigest::of(&normalized)
    }
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

#[derive(Clone)]
pub struct Mfa {
    accounts: Accounts,
    vault: PersonalDataVault,
    store: Arc<dyn MfaStore>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Mfa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mfa").finish_non_exhaustive()
    }
}

impl Mfa {
    pub fn new(
        accounts: &Accounts,
        vault: &PersonalDataVault,
        store: Arc<dyn MfaStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { accounts: accounts.clone(), vault: vault.clone(), store, clock }
    }

    /// Stages a new TOTP factor, replacing one not yet confirmed;
    /// [`AppError::MfaAlreadyEnabled`] while a confirmed one is on.
    pub async fn enroll(&self, account: AccountId) -> Result<TotpEnrollment, AppError> {
        let profile = self.accounts.profile(account).await?;
        let key = self.vault.member_key(account).await?.ok_or(AppError::NotFound)?;
        let secret = TotpSecret::generate()?;
        let sealed = key.seal(PersonalField::TotpSecret, &secret.to_base32())?;
        if !self.store.stage_totp(account, sealed.as_str(), self.clock.now()).await? {
            return Err(AppError::MfaAlreadyEnabled);
        }
        Ok(TotpEnrollment {
            secret: secret.to_base32(),
            otpauth_uri: secret.otpauth_uri(ISSUER, &profile.email),
        })
    }

    /// Confirms the staged factor with a code from the member's app and hands out the recovery
    /// codes. [`AppError::MfaNotPending`] when nothing is staged.
    pub async fn confirm(&self, account: AccountId, code: &str) -> Result<Vec<RecoveryCode>, AppError> {
        let factor = self.store.totp(account).await?;
        let Some(factor) = factor.filter(|factor| !factor.confirmed) else {
            return Err(AppError::MfaNotPending);
        };
        let secret = self.open_secret(account, &factor.sealed_secret).await?;
        let step =
            secret.matching_step(code, self.clock.now().timestamp()).ok_or(AppError::InvalidMfaCode)?;
        let codes = (0..RECOVERY_CODES).map(|_| RecoveryCode::generate()).collect::<Result<Vec<_>, _>>()?;
        let digests: Vec<TokenDigest> =
            codes.iter().map(|code| RecoveryCode::digest_of(code.as_str())).collect();
        if !self.store.confirm_totp(account, step, &digests, self.clock.now()).await? {
            return Err(AppError::InvalidMfaCode);
        }
        Ok(codes)
    }

    /// Whether the member signs in with a second factor.
    pub async fn is_enabled(&self, account: AccountId) -> Result<bool, AppError> {
        Ok(self.store.totp(account).await?.is_some_and(|factor| factor.confirmed))
    }

    /// How many unused recovery codes the member has.
    pub async fn recovery_codes_left(&self, account: AccountId) -> Result<u64, AppError> {
        Ok(self.store.recovery_codes_left(account).await?)
    }

    /// Checks a second factor of a member whose factor is on: a TOTP code (6 digits, good once)
    /// or one of their recovery codes (used up). `false` for anything else.
    pub(crate) async fn verify(&self, account: AccountId, code: &str) -> Result<bool, AppError> {
        let factor = self.store.totp(account).await?;
        let Some(factor) = factor.filter(|factor| factor.confirmed) else { return Ok(false) };
        let trimmed = code.trim();
        if trimmed.len() == 6 && trimmed.bytes().all(|byte| byte.is_ascii_digit()) {
            let secret = self.open_secret(account, &factor.sealed_secret).await?;
            return match secret.matching_step(trimmed, self.clock.now().timestamp()) {
                Some(step) => Ok(self.store.advance_totp_step(account, step).await?),
                None => Ok(false),
            };
        }
        Ok(self.store.use_recovery_code(account, &RecoveryCode::digest_of(trimmed), self.clock.now()).await?)
    }

    /// Turns the factor off, given a current code (or a recovery code).
    /// [`AppError::MfaNotEnabled`] when it is not on.
    pub async fn disable(&self, account: AccountId, code: &str) -> Result<(), AppError> {
        if !self.is_enabled(account).await? {
            return Err(AppError::MfaNotEnabled);
        }
        if !self.verify(account, code).await? {
            return Err(AppError::InvalidMfaCode);
        }
        self.store.remove_totp(account).await?;
        Ok(())
    }

    async fn open_secret(&self, account: AccountId, sealed: &str) -> Result<TotpSecret, AppError> {
        let key = self.vault.member_key(account).await?.ok_or(AppError::NotFound)?;
        let sealed = jangteo_domain::SealedText::parse(sealed)
            .map_err(|error| AppError::internal("reading a stored TOTP secret", error))?;
        Ok(TotpSecret::from_base32(&key.open(PersonalField::TotpSecret, &sealed)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_four_groups_of_four_and_match_however_typed() {
        let code = RecoveryCode::generate().unwrap_or_else(|e| panic!("{e}"));
        let text = code.as_str();
        assert_eq!(text.len(), 19, "{text}");
        assert!(text.split('-').all(|group| group.len() == 4), "{text}");
        let typed = text.replace('-', " ").to_uppercase();
        assert_eq!(RecoveryCode::digest_of(&typed), RecoveryCode::digest_of(text));
        assert_ne!(RecoveryCode::digest_of("aaaa-aaaa-aaaa-aaaa"), RecoveryCode::digest_of(text));
    }
}
