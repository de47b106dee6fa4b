//! Password hashing with argon2id. Hashing is deliberately slow, so it runs off the async runtime.

use argon2::{
    Argon2,
    password_hash::{
        PasswordHash as PhcHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
    },
};
use jangteo_domain::{PasswordHash, ValidationError};

use crate::AppError;

/// A password as typed by its owner. Never serialized, never logged (its `Debug` is redacted).
#[derive(Clone)]
pub struct PlainPassword(String);

impl PlainPassword {
    /// 8 to 128 characters: long enough to resist guessing, short enough to bound hashing cost.
    /// Control characters are refused (no keyboard types them); the password is hashed as typed,
    /// not normalised, so that existing hashes keep matching.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if jangteo_domain::has_control_characters(raw) {
            return Err(ValidationError::new("password", "must not contain control characters"));
        }
        let count = raw.chars().count();
        if (8..=128).contains(&count) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::new("password", "must be 8-128 characters"))
        }
    }
}

impl std::fmt::Debug for PlainPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlainPassword(<redacted>)")
    }
}

/// Hashes with argon2id and the library's recommended parameters (19 MiB, 2 passes).
pub(crate) async fn hash(password: PlainPassword) -> Result<PasswordHash, AppError> {
    let phc = tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.0.as_bytes(), &salt).map(|hash| hash.to_string())
    })
    .await
    .map_err(|error| AppError::internal("password hashing task", error))?
    .map_err(|error| AppError::internal("password hashing", error))?;
    PasswordHash::parse(&phc).map_err(|error| AppError::internal("reading the new password hash", error))
}

/// Checks `password` against a stored hash in constant time.
pub(crate) async fn verify(password: PlainPassword, stored: PasswordHash) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PhcHash::new(stored.as_str())
            .map_err(|error| AppError::internal("reading a stored password hash", error))?;
        Ok(Argon2::default().verify_password(password.0.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|error| AppError::internal("password check task", error))?
}

/// Spends the time of one verification when the e-mail is unknown, so that a login for an unknown
/// address takes as long as one with a wrong password (no account enumeration by timing).
pub(crate) async fn verify_dummy(password: PlainPassword) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let _ = tokio::task::spawn_blocking(move || {
        let dummy = DUMMY.get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(b"jangteo-dummy-password", &salt)
                .ok()
                .map(|hash| hash.to_string())
        });
        if let Some(parsed) = dummy.as_deref().and_then(|phc| PhcHash::new(phc).ok()) {
            let _ = Argon2::default().verify_password(password.0.as_bytes(), &parsed);
        }
    })
    .await;
}
