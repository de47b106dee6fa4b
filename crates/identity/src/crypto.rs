//! The keys and the ciphers: AES-256-GCM for data keys (wrapped by the master key) and for
//! personal values (sealed under their owner's data key), HMAC-SHA256 for blind indexes, SHA-256
//! digests for high-entropy tokens. All of it is `ring`.
//!
//! Every ciphertext is bound to what it belongs to by its associated data — a wrapped key to its
//! member (or system key name), a sealed value to its member and field — so a ciphertext copied
//! to another member or field does not open.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ring::{
    aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    digest, hmac,
    rand::{SecureRandom, SystemRandom},
};

use crate::IdentityError;

const KEY_LEN: usize = 32;
/// The format byte in front of every wrapped key; a new wrapping scheme takes a new one.
const WRAP_FORMAT: u8 = 1;
/// The prefix of every sealed value; a new sealing scheme takes a new one.
const SEAL_PREFIX: &str = "v1.";

fn random_bytes<const N: usize>() -> Result<[u8; N], IdentityError> {
    let mut bytes = [0_u8; N];
    SystemRandom::new().fill(&mut bytes).map_err(|_| IdentityError::Random)?;
    Ok(bytes)
}

/// 256 random bits from the system's generator, e.g. an opaque token.
pub fn random_token() -> Result<[u8; 32], IdentityError> {
    random_bytes::<32>()
}

/// `N` random bytes from the system's generator (a TOTP secret, a recovery code).
pub fn random_array<const N: usize>() -> Result<[u8; N], IdentityError> {
    random_bytes::<N>()
}

fn aes_key(bytes: &[u8; KEY_LEN]) -> LessSafeKey {
    #[allow(clippy::expect_used, reason = "AES-256 takes exactly 32 bytes, which the type guarantees")]
    let unbound = UnboundKey::new(&AES_256_GCM, bytes).expect("an AES-256 key is 32 bytes");
    LessSafeKey::new(unbound)
}

/// nonce ‖ ciphertext ‖ tag, with a fresh random nonce (96 bits: the chance of a repeat stays
/// negligible for far more seals than one key ever makes).
fn encrypt(key: &LessSafeKey, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, IdentityError> {
    let nonce_bytes = random_bytes::<NONCE_LEN>()?;
    let mut in_out = plaintext.to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce_bytes), Aad::from(aad), &mut in_out)
        .map_err(|_| IdentityError::Random)?;
    let mut sealed = Vec::with_capacity(NONCE_LEN + in_out.len());
    sealed.extend_from_slice(&nonce_bytes);
    sealed.extend_from_slice(&in_out);
    Ok(sealed)
}

/// The plaintext of [`encrypt`]'s output; `None` if it was altered or belongs elsewhere.
fn decrypt(key: &LessSafeKey, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let (nonce, ciphertext) = sealed.split_at_checked(NONCE_LEN)?;
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut in_out = ciphertext.to_vec();
    let plaintext = key.open_in_place(nonce, Aad::from(aad), &mut in_out).ok()?;
    Some(plaintext.to_vec())
}

/// The key that wraps every data key. Configured (`JANGTEO_MASTER_KEY`) or generated into the
/// data dir; never stored beside what it wraps. Its `Debug` shows nothing of it.
pub struct MasterKey(LessSafeKey);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    /// A new random master key, with its text form (64 hex digits) to keep somewhere safe.
    pub fn generate() -> Result<(Self, String), IdentityError> {
        let bytes = random_bytes::<KEY_LEN>()?;
        Ok((Self(aes_key(&bytes)), hex(&bytes)))
    }

    /// Reads 32 bytes written as 64 hex digits or as base64 (standard or URL-safe, padded or not).
    pub fn parse(text: &str) -> Result<Self, IdentityError> {
        let text = text.trim();
        let bytes = decode_hex(text)
            .or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())
            .or_else(|| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok())
            .ok_or(IdentityError::InvalidMasterKey)?;
        let bytes: [u8; KEY_LEN] = bytes.try_into().map_err(|_| IdentityError::InvalidMasterKey)?;
        Ok(Self(aes_key(&bytes)))
    }

    /// Wraps a key for `owner` (a member's id, or a system key's name).
    fn wrap(&self, owner: &[u8], key: &[u8; KEY_LEN]) -> Result<WrappedKey, IdentityError> {
        let mut wrapped = vec![WRAP_FORMAT];
        wrapped.extend(encrypt(&self.0, &wrap_aad(owner), key)?);
        Ok(WrappedKey(wrapped))
    }

    fn unwrap_key(&self, owner: &[u8], wrapped: &WrappedKey) -> Result<[u8; KEY_LEN], IdentityError> {
        let (&format, sealed) = wrapped.0.split_first().ok_or(IdentityError::WrongMasterKey)?;
        if format != WRAP_FORMAT {
            return Err(IdentityError::Corrupt(format!("a wrapped key of unknown format {format}")));
        }
        let key = decrypt(&self.0, &wrap_aad(owner), sealed).ok_or(IdentityError::WrongMasterKey)?;
        key.try_into().map_err(|_| IdentityError::Corrupt("a wrapped key of the wrong length".to_owned()))
    }

    /// The same key, wrapped under `next` instead of this one (rotating the master key).
    pub fn rewrap(
        &self,
        next: &MasterKey,
        owner: &[u8],
        wrapped: &WrappedKey,
    ) -> Result<WrappedKey, IdentityError> {
        next.wrap(owner, &self.unwrap_key(owner, wrapped)?)
    }
}

fn wrap_aad(owner: &[u8]) -> Vec<u8> {
    let mut aad = b"jangteo key:".to_vec();
    aad.extend_from_slice(owner);
    aad
}

/// A key as stored: wrapped by the master key, bound to its owner.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey(pub Vec<u8>);

impl std::fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WrappedKey({} bytes)", self.0.len())
    }
}

/// A symmetric key of the vault (a member's data key, or the blind-index key), unwrapped.
pub(crate) struct PlainKey([u8; KEY_LEN]);

impl PlainKey {
    pub(crate) fn generate() -> Result<Self, IdentityError> {
        random_bytes::<KEY_LEN>().map(Self)
    }

    pub(crate) fn wrap(&self, master: &MasterKey, owner: &[u8]) -> Result<WrappedKey, IdentityError> {
        master.wrap(owner, &self.0)
    }

    pub(crate) fn unwrap(
        master: &MasterKey,
        owner: &[u8],
        wrapped: &WrappedKey,
    ) -> Result<Self, IdentityError> {
        master.unwrap_key(owner, wrapped).map(Self)
    }

    /// `plaintext` sealed for `aad`: `v1.` and the URL-safe base64 of nonce, ciphertext and tag.
    pub(crate) fn seal(&self, aad: &[u8], plaintext: &str) -> Result<String, IdentityError> {
        let sealed = encrypt(&aes_key(&self.0), aad, plaintext.as_bytes())?;
        Ok(format!("{SEAL_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)))
    }

    /// The plaintext of [`PlainKey::seal`]; `None` if it does not open under this key and `aad`.
    pub(crate) fn open(&self, aad: &[u8], sealed: &str) -> Option<String> {
        let encoded = sealed.strip_prefix(SEAL_PREFIX)?;
        let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
        String::from_utf8(decrypt(&aes_key(&self.0), aad, &bytes)?).ok()
    }

    /// HMAC-SHA256 of `value` under this key, as hex: a blind index.
    pub(crate) fn mac_hex(&self, value: &[u8]) -> String {
        hex(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &self.0), value).as_ref())
    }
}

/// The SHA-256 digest of an opaque, high-entropy token (a refresh token): what is stored in its
/// place, so a copy of the store signs nobody in. (A password needs argon2; a 256-bit random
/// token does not.)
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenDigest(pub [u8; 32]);

impl TokenDigest {
    pub fn of(token: &str) -> Self {
        let digest = digest::digest(&digest::SHA256, token.as_bytes());
        let mut bytes = [0_u8; 32];
        bytes.copy_from_slice(digest.as_ref());
        Self(bytes)
    }
}

impl std::fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenDigest(..)")
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len()).step_by(2).map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok()).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test expectations")]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_only_under_its_master_key_and_for_its_owner() {
        let (master, _) = MasterKey::generate().unwrap();
        let (other, _) = MasterKey::generate().unwrap();
        let key = PlainKey::generate().unwrap();
        let wrapped = key.wrap(&master, b"alice").unwrap();
        assert_eq!(PlainKey::unwrap(&master, b"alice", &wrapped).unwrap().0, key.0);
        assert!(matches!(PlainKey::unwrap(&other, b"alice", &wrapped), Err(IdentityError::WrongMasterKey)));
        assert!(matches!(PlainKey::unwrap(&master, b"bob", &wrapped), Err(IdentityError::WrongMasterKey)));
        let rewrapped = master.rewrap(&other, b"alice", &wrapped).unwrap();
        assert_eq!(PlainKey::unwrap(&other, b"alice", &rewrapped).unwrap().0, key.0);
    }

    #[test]
    fn a_sealed_value_opens_for_its_field_and_owner_only_and_never_shows_its_text() {
        let key = PlainKey::generate().unwrap();
        let sealed = key.seal(b"alice/email", "minji@example.com").unwrap();
        assert!(!sealed.contains("minji"), "{sealed}");
        assert_ne!(key.seal(b"alice/email", "minji@example.com").unwrap(), sealed, "a fresh nonce each time");
        assert_eq!(key.open(b"alice/email", &sealed).as_deref(), Some("minji@example.com"));
        assert_eq!(key.open(b"alice/nickname", &sealed), None);
        assert_eq!(PlainKey::generate().unwrap().open(b"alice/email", &sealed), None);
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(key.open(b"alice/email", &String::from_utf8(altered).unwrap()), None);
    }

    #[test]
    fn master_keys_parse_from_hex_and_base64_and_nothing_shorter() {
        let (_, text) = MasterKey::generate().unwrap();
        assert!(MasterKey::parse(&text).is_ok());
        let bytes = decode_hex(&text).unwrap();
        assert!(MasterKey::parse(&base64::engine::general_purpose::STANDARD.encode(&bytes)).is_ok());
        assert!(MasterKey::parse(&URL_SAFE_NO_PAD.encode(&bytes)).is_ok());
        assert!(matches!(MasterKey::parse("a"), Err(IdentityError::InvalidMasterKey)));
        assert!(matches!(MasterKey::parse(&text[..62]), Err(IdentityError::InvalidMasterKey)));
        assert_eq!(format!("{:?}", MasterKey::parse(&text).unwrap()), "MasterKey(<redacted>)");
    }

    #[test]
    fn blind_indexes_are_stable_per_key_and_differ_between_keys() {
        let key = PlainKey::generate().unwrap();
        assert_eq!(key.mac_hex(b"minji@example.com"), key.mac_hex(b"minji@example.com"));
        assert_ne!(
            key.mac_hex(b"minji@example.com"),
            PlainKey::generate().unwrap().mac_hex(b"minji@example.com")
        );
        assert_eq!(key.mac_hex(b"x").len(), 64);
    }
}
