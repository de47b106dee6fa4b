//! Password hashing with argon2id, and the policy for new passwords.
//!
//! Hashing is deliberately slow and takes 19 MiB a hash, so it runs off the async runtime on a
//! fixed number of blocking threads, one per core ([`Hashers`]), with a bounded queue in front:
//! two hundred sign-ins at once cost two hashes' memory per core and a short wait, and beyond
//! the queue the answer is `503 overloaded`, never an unbounded pile of 19 MiB buffers.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use argon2::{
    Argon2,
    password_hash::{
        PasswordHash as PhcHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
    },
};
use jangteo_domain::{Email, Nickname, PasswordHash, ValidationError};
use tokio::sync::Semaphore;

use crate::AppError;

/// A password as typed by its owner. Never serialized, never logged (its `Debug` is redacted).
#[derive(Clone)]
pub struct PlainPassword(String);

impl PlainPassword {
    /// A password as presented at sign-in: 1 to 128 characters without control characters (no
    /// keyboard types them). It is hashed as typed, not normalised, so that existing hashes keep
    /// matching. The policy is for new passwords only ([`PlainPassword::choose`]): a member whose
    /// password predates it still signs in.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if jangteo_domain::has_control_characters(raw) {
            return Err(ValidationError::new("password", "must not contain control characters"));
        }
        if (1..=MAX_LENGTH).contains(&raw.chars().count()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::new("password", "must be 1-128 characters"))
        }
    }

    /// A password a member chooses (sign-up, reset): at least 10 characters (NIST SP 800-63B asks
    /// for 8 and a blocklist; 10 keeps a margin), at most 128 to bound the hashing, not the
    /// member's e-mail or nickname, not one character repeated, and not among the most common
    /// passwords (`common-passwords.txt`, compared without case).
    pub fn choose(raw: &str, email: &Email, nickname: &Nickname) -> Result<Self, ValidationError> {
        let password = Self::parse(raw)?;
        let refuse = |reason| Err(ValidationError::new("password", reason));
        if !(MIN_NEW_LENGTH..=MAX_LENGTH).contains(&raw.chars().count()) {
            return refuse("must be 10-128 characters");
        }
        let folded = raw.to_lowercase();
        let local_part = email.as_str().split('@').next().unwrap_or_default();
        if folded == email.as_str() || folded == local_part || folded == nickname.as_str().to_lowercase() {
            return refuse("must not be the e-mail address or the nickname");
        }
        let mut characters = raw.chars();
        if characters.next().is_some_and(|first| characters.all(|c| c == first)) {
            return refuse("must not be one character repeated");
        }
        if COMMON_PASSWORDS.lines().any(|common| common.trim() == folded) {
            return refuse("is one of the most common passwords; choose another");
        }
        Ok(password)
    }
}

const MIN_NEW_LENGTH: usize = 10;
const MAX_LENGTH: usize = 128;
/// One password a line, lower case.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

impl std::fmt::Debug for PlainPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlainPassword(<redacted>)")
    }
}

/// One place in the queue, left when dropped (also when the waiting request is cancelled).
struct Waiting<'a> {
    count: &'a AtomicUsize,
    /// How many were waiting before this one.
    ahead: usize,
}

impl<'a> Waiting<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        Self { count, ahead: count.fetch_add(1, Ordering::SeqCst) }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The blocking threads that hash, one per core, and the queue in front of them.
#[derive(Debug)]
pub(crate) struct Hashers {
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Hashers {
    /// One hash at a time per core, and up to eight waiting per core.
    pub(crate) fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self::new(cores, cores * 8)
    }

    pub(crate) fn new(at_once: usize, max_waiting: usize) -> Self {
        Self { running: Arc::new(Semaphore::new(at_once)), waiting: AtomicUsize::new(0), max_waiting }
    }

    /// Runs `work` on a blocking thread once a hasher is free; [`AppError::Overloaded`] at once
    /// when the queue is full.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let waiting = Waiting::enter(&self.waiting);
        if waiting.ahead >= self.max_waiting {
            return Err(AppError::Overloaded);
        }
        let permit = Arc::clone(&self.running)
            .acquire_owned()
            .await
            .map_err(|error| AppError::internal("waiting for a password hasher", error))?;
        drop(waiting);
        // The permit goes with the work: it is a hasher's until the hash is done, even if the
        // request that asked for it is gone.
        tokio::task::spawn_blocking(move || {
            let done = work();
            drop(permit);
            done
        })
        .await
        .map_err(|error| AppError::internal("password hashing task", error))
    }

    /// Hashes with argon2id and the library's recommended parameters (19 MiB, 2 passes).
    pub(crate) async fn hash(&self, password: PlainPassword) -> Result<PasswordHash, AppError> {
        let phc = self
            .run(move || {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default().hash_password(password.0.as_bytes(), &salt).map(|hash| hash.to_string())
            })
            .await?
            .map_err(|error| AppError::internal("password hashing", error))?;
        PasswordHash::parse(&phc).map_err(|error| AppError::internal("reading the new password hash", error))
    }

    /// Checks `password` against a stored hash in constant time.
    pub(crate) async fn verify(
        &self,
        password: PlainPassword,
        stored: PasswordHash,
    ) -> Result<bool, AppError> {
        self.run(move || {
            let parsed = PhcHash::new(stored.as_str())
                .map_err(|error| AppError::internal("reading a stored password hash", error))?;
            Ok(Argon2::default().verify_password(password.0.as_bytes(), &parsed).is_ok())
        })
        .await?
    }

    /// Spends the time of one verification when the e-mail is unknown, so that a sign-in for an
    /// unknown address takes as long as one with a wrong password (no account enumeration by
    /// timing).
    pub(crate) async fn verify_dummy(&self, password: PlainPassword) -> Result<(), AppError> {
        static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        self.run(move || {
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
        .await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test expectations")]
mod tests {
    use super::*;

    fn choose(raw: &str) -> Result<PlainPassword, ValidationError> {
        PlainPassword::choose(
            raw,
            &Email::parse("minji@example.com").unwrap(),
            &Nickname::parse("민지네").unwrap(),
        )
    }

    #[test]
    fn new_passwords_follow_the_policy_and_old_ones_still_sign_in() {
        assert!(choose("correct horse battery staple").is_ok());
        for refused in
            ["password", "12345678", "short pw", "1234567890", "Password123", "qwertyuiop", "aaaaaaaaaaaa"]
        {
            assert!(choose(refused).is_err(), "{refused} was accepted");
        }
        assert!(choose("MINJI@example.com").is_err(), "the e-mail");
        assert!(choose("민지네민지네민지네민지네").is_ok(), "contains the nickname, is not it");
        assert!(choose(&"x".repeat(129)).is_err());
        assert!(PlainPassword::parse("password").is_ok(), "a sign-in is not held to the new policy");
    }

    #[tokio::test]
    async fn hashers_beyond_their_queue_answer_overloaded_at_once() {
        let hashers = std::sync::Arc::new(Hashers::new(1, 2));
        let password = || PlainPassword::parse("correct horse battery staple").unwrap();
        // One running and two waiting fill it: hold the only permit so none can finish.
        let held = Arc::clone(&hashers.running).acquire_owned().await.unwrap();
        let queued: Vec<_> = (0..2)
            .map(|_| {
                let hashers = std::sync::Arc::clone(&hashers);
                let password = password();
                tokio::spawn(async move { hashers.hash(password).await.map(|_| ()) })
            })
            .collect();
        while hashers.waiting.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(hashers.hash(password()).await, Err(AppError::Overloaded)));
        drop(held);
        for queued in queued {
            assert!(queued.await.unwrap().is_ok(), "the queued ones are hashed");
        }
    }
}
