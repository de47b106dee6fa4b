//! Password hashing with argon2id, and the policy for new passwords.
//!
//! Hashing is deliberately slow and takes 19 MiB a hash, so it runs off the async runtime on a
//! fixed pool of hasher threads, one per core, each reusing one work area of its own
//! ([`Hashers`]), with a bounded queue in front: two hundred sign-ins at once cost one work area
//! per core and a short wait, and beyond the queue the answer is `503 overloaded`, never an
//! unbounded pile of 19 MiB buffers.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use argon2::{
    ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version,
    password_hash::{
        self, Output, ParamsString, PasswordHash as PhcHash, Salt, SaltString, rand_core::OsRng,
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

/// One hasher's argon2 memory, allocated on its first hash and reused for every one after:
/// memory stays at one area per hasher whatever the traffic. (Hashing through a fresh 19 MiB
/// buffer each time let the allocator keep a freed one per thread it ever ran on: a server
/// grew by 19 MiB a sign-in up to hundreds of MiB and stayed there.)
#[derive(Default)]
struct WorkArea(Vec<Block>);

impl WorkArea {
    /// The PHC string of `password` under `argon2`'s parameters and `salt`.
    fn hash<'a>(
        &mut self,
        argon2: &Argon2<'_>,
        password: &[u8],
        salt: Salt<'a>,
    ) -> password_hash::Result<PhcHash<'a>> {
        let mut salt_bytes = [0_u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let params = argon2.params();
        if self.0.len() < params.block_count() {
            self.0.resize(params.block_count(), Block::default());
        }
        let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let output = Output::init_with(output_len, |out| {
            Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, &mut self.0)?)
        })?;
        Ok(PhcHash {
            algorithm: ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(params)?,
            salt: Some(salt),
            hash: Some(output),
        })
    }

    /// Whether `password` is the one `stored` was made from, under `stored`'s own algorithm,
    /// version and parameters; the outputs are compared in constant time.
    fn verify(&mut self, password: &[u8], stored: &PhcHash<'_>) -> password_hash::Result<bool> {
        let algorithm = Algorithm::try_from(stored.algorithm)?;
        let version = stored.version.map(Version::try_from).transpose()?.unwrap_or_default();
        let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
            return Err(password_hash::Error::PhcStringField);
        };
        let argon2 = Argon2::new(algorithm, version, Params::try_from(stored)?);
        let mut salt_bytes = [0_u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        if self.0.len() < argon2.params().block_count() {
            self.0.resize(argon2.params().block_count(), Block::default());
        }
        let computed = Output::init_with(expected.len(), |out| {
            Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, &mut self.0)?)
        })?;
        Ok(computed == expected)
    }
}

/// A piece of hashing work, given the work area of the hasher that runs it.
type Job = Box<dyn FnOnce(&mut WorkArea) + Send>;

/// The hashers: one thread per core, each with its own work area, and the queue in front of
/// them.
pub(crate) struct Hashers {
    running: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    jobs: std::sync::mpsc::Sender<Job>,
}

impl std::fmt::Debug for Hashers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hashers").field("max_waiting", &self.max_waiting).finish_non_exhaustive()
    }
}

impl Hashers {
    /// One hash at a time per core, and up to eight waiting per core.
    pub(crate) fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self::new(cores, cores * 8)
    }

    /// `at_once` hasher threads (they end when the hashers are dropped) and a queue of
    /// `max_waiting`.
    pub(crate) fn new(at_once: usize, max_waiting: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        let mut started = 0;
        for n in 0..at_once {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new().name(format!("password-hasher-{n}")).spawn(move || {
                let mut area = WorkArea::default();
                loop {
                    // The lock is held only to take the next job, not while hashing.
                    let job = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    // A panicking hash costs its request (its answer is dropped), not the hasher:
                    // the thread goes on with a fresh work area.
                    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut area)));
                    if ran.is_err() {
                        tracing::error!("a password hash panicked; its hasher goes on");
                        area = WorkArea::default();
                    }
                }
            });
            match spawned {
                Ok(_) => started += 1,
                Err(error) => tracing::error!(%error, "a password hasher thread could not start"),
            }
        }
        // As many at once as there are hashers to run them (none started: every hash is refused
        // as overloaded rather than waiting for ever).
        let max_waiting = if started == 0 { 0 } else { max_waiting };
        Self { running: Arc::new(Semaphore::new(started)), waiting: AtomicUsize::new(0), max_waiting, jobs }
    }

    /// Runs `work` on a hasher once one is free; [`AppError::Overloaded`] at once when the
    /// queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut WorkArea) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let waiting = Waiting::enter(&self.waiting);
        if waiting.ahead >= self.max_waiting {
            return Err(AppError::Overloaded);
        }
        let permit = Arc::clone(&self.running)
            .acquire_owned()
            .await
            .map_err(|error| AppError::internal("waiting for a password hasher", error))?;
        drop(waiting);
        let (done, answer) = tokio::sync::oneshot::channel();
        // The permit goes with the work: it is a hasher's until the hash is done, even if the
        // request that asked for it is gone.
        let job: Job = Box::new(move |area| {
            let _ = done.send(work(area));
            drop(permit);
        });
        self.jobs.send(job).map_err(|_| AppError::internal("password hashing", "no hasher is running"))?;
        answer.await.map_err(|error| AppError::internal("password hashing", error))
    }

    /// Hashes with argon2id and the library's recommended parameters (19 MiB, 2 passes).
    pub(crate) async fn hash(&self, password: PlainPassword) -> Result<PasswordHash, AppError> {
        let phc = self
            .run(move |area| {
                let salt = SaltString::generate(&mut OsRng);
                area.hash(&Argon2::default(), password.0.as_bytes(), salt.as_salt())
                    .map(|hash| hash.to_string())
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
        self.run(move |area| {
            let parsed = PhcHash::new(stored.as_str())
                .map_err(|error| AppError::internal("reading a stored password hash", error))?;
            area.verify(password.0.as_bytes(), &parsed)
                .map_err(|error| AppError::internal("checking a password hash", error))
        })
        .await?
    }

    /// Spends the time of one verification when the e-mail is unknown, so that a sign-in for an
    /// unknown address takes as long as one with a wrong password (no account enumeration by
    /// timing).
    pub(crate) async fn verify_dummy(&self, password: PlainPassword) -> Result<(), AppError> {
        static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        self.run(move |area| {
            let dummy = DUMMY.get_or_init(|| {
                let salt = SaltString::generate(&mut OsRng);
                area.hash(&Argon2::default(), b"jangteo-dummy-password", salt.as_salt())
                    .ok()
                    .map(|hash| hash.to_string())
            });
            if let Some(parsed) = dummy.as_deref().and_then(|phc| PhcHash::new(phc).ok()) {
                let _ = area.verify(password.0.as_bytes(), &parsed);
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

    #[tokio::test]
    async fn the_work_areas_hashes_are_argon2s_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let hashers = Hashers::new(2, 4);
        let password = || PlainPassword::parse("correct horse battery staple").unwrap();
        let wrong = || PlainPassword::parse("correct horse battery stapler").unwrap();

        // A hash made here is a standard PHC string the library itself verifies.
        let ours = hashers.hash(password()).await.unwrap();
        assert!(ours.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", ours.as_str());
        let parsed = PhcHash::new(ours.as_str()).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery staple", &parsed).is_ok());
        assert!(hashers.verify(password(), ours.clone()).await.unwrap());
        assert!(!hashers.verify(wrong(), ours).await.unwrap());

        // A hash the library made (every stored one so far), under other parameters too, verifies
        // here, in the same work areas.
        let salt = SaltString::generate(&mut OsRng);
        let small =
            Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8 * 1024, 3, 1, None).unwrap());
        for argon2 in [Argon2::default(), small] {
            let theirs = argon2.hash_password(b"correct horse battery staple", &salt).unwrap().to_string();
            let theirs = PasswordHash::parse(&theirs).unwrap();
            assert!(hashers.verify(password(), theirs.clone()).await.unwrap());
            assert!(!hashers.verify(wrong(), theirs).await.unwrap());
        }
    }
}
