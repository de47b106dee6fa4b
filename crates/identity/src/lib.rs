//! What Jangteo keeps about its members outside the event log.
//!
//! The log is kept forever and streamed to analysts, so it holds nothing secret and nothing that
//! identifies a person in the clear:
//! * credentials (password hashes, session and refresh-token digests, single-use token digests,
//!   TOTP secrets and recovery-code digests, social sign-ins' PKCE verifiers) live only in the stores of this crate, never in an
//!   event ([`CredentialStore`], [`SessionStore`], [`OneTimeTokenStore`], [`MfaStore`]);
//! * personal data (e-mail, nickname, phone, address) is written into events sealed with
//!   AES-256-GCM under the member's own data key; data keys are stored wrapped by the master key
//!   ([`KeyStore`], [`vault::PersonalDataVault`]). Destroying a member's data key erases what the
//!   log says of them (crypto-shredding) while the log still replays.
//!
//! The ports and the vault compile without features; the SQL adapters are `postgres` (a schema
//! `identity` of its own beside the event log's tables) and `sqlite` (a file of its own,
//! `identity.sqlite`, with `secure_delete` on so a destroyed key leaves no bytes behind).

pub mod crypto;
mod error;
mod ports;
pub mod totp;
pub mod vault;

#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod sql;

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use crypto::{MasterKey, TokenDigest, WrappedKey};
pub use error::{DatabaseError, IdentityError};
pub use ports::{
    AttemptKey, CredentialStore, IssuedToken, KeyOwner, KeyStore, LinkedIdentity, MaintenanceSteps,
    MemberErasure, MfaStore, NewSession, OneTimeTokenStore, PendingPhone, PendingPurpose,
    PhoneVerificationStore, Rewrap, Rotation, SessionId, SessionStore, SignInAttempt, SignInLog,
    SignInOutcome, SocialLoginStore, TokenPurpose, TotpFactor,
};
pub use vault::{MemberKey, PersonalDataVault, PersonalField};
