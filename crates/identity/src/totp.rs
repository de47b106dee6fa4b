//! Time-based one-time passwords (RFC 6238 over HOTP, RFC 4226): 6 digits, 30-second steps,
//! HMAC-SHA-1, the parameters every authenticator app takes from an `otpauth://` URI. SHA-1 is
//! what those apps implement; HMAC-SHA-1 is not weakened by SHA-1's collisions (RFC 4226 App. A).
//!
//! Pure: the caller gives the time. A code is accepted for the current step or one step either
//! side (RFC 6238 §5.2's allowance for clock drift), and the caller keeps the newest accepted
//! step so that no code is accepted twice.

use std::fmt::Write as _;

use data_encoding::BASE32_NOPAD;
use ring::hmac;

use crate::{IdentityError, crypto::random_array};

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Steps either side of now a code is accepted for.
const DRIFT_STEPS: i64 = 1;
/// Bytes of a secret: 160 bits, as RFC 4226 §4 recommends for HMAC-SHA-1.
const SECRET_LEN: usize = 20;

/// A member's TOTP secret. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; SECRET_LEN]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    pub fn generate() -> Result<Self, IdentityError> {
        Ok(Self(random_array::<SECRET_LEN>()?))
    }

    /// The secret as an authenticator app takes it: base32 without padding (RFC 4648).
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// A secret written by [`TotpSecret::to_base32`].
    pub fn from_base32(text: &str) -> Result<Self, IdentityError> {
        let bytes = BASE32_NOPAD
            .decode(text.as_bytes())
            .map_err(|_| IdentityError::Corrupt("a TOTP secret that is not base32".to_owned()))?;
        let bytes: [u8; SECRET_LEN] = bytes
            .try_into()
            .map_err(|_| IdentityError::Corrupt("a TOTP secret of the wrong length".to_owned()))?;
        Ok(Self(bytes))
    }

    /// The `otpauth://totp/` URI an authenticator app scans (as a QR code) or takes pasted.
    pub fn otpauth_uri(&self, issuer: &str, account_label: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{label}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            label = percent_encode(account_label),
            secret = self.to_base32(),
        )
    }

    /// The code for time step `step` (RFC 4226 §5.3's dynamic truncation).
    pub fn code_at_step(&self, step: i64) -> u32 {
        let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &self.0);
        let tag = hmac::sign(&key, &step.to_be_bytes());
        let digest = tag.as_ref();
        let offset = usize::from(digest[digest.len() - 1] & 0x0f);
        let binary =
            u32::from_be_bytes([digest[offset], digest[offset + 1], digest[offset + 2], digest[offset + 3]])
                & 0x7fff_ffff;
        binary % 10_u32.pow(DIGITS)
    }

    /// The step within the allowed drift of `unix_seconds` whose code `code` is, newest first;
    /// `None` for a code of no such step (or text that is not 6 digits).
    pub fn matching_step(&self, code: &str, unix_seconds: i64) -> Option<i64> {
        let code = code.trim();
        if code.len() != DIGITS as usize || !code.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        let presented: u32 = code.parse().ok()?;
        let now = step_of(unix_seconds);
        // Codes compare as whole integers (one machine comparison, no early exit digit by digit).
        (now - DRIFT_STEPS..=now + DRIFT_STEPS).rev().find(|step| self.code_at_step(*step) == presented)
    }
}

/// The time step of `unix_seconds`.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// Percent-encodes all but the unreserved characters (RFC 3986 §2.3), for the URI's label.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA-1 secret: the ASCII of "12345678901234567890".
    fn rfc_secret() -> TotpSecret {
        TotpSecret(*b"12345678901234567890")
    }

    #[test]
    fn codes_are_those_of_rfc_6238_appendix_b_cut_to_six_digits() {
        // The RFC lists 8-digit codes; 6 digits are their last six (the same truncation, mod 10^6).
        for (time, eight_digits) in [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
        ] {
            assert_eq!(rfc_secret().code_at_step(step_of(time)), eight_digits % 1_000_000, "at {time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_the_steps_either_side_but_no_further() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let code = |step: i64| format!("{:06}", secret.code_at_step(step));
        let current = step_of(now);
        assert_eq!(secret.matching_step(&code(current), now), Some(current));
        assert_eq!(secret.matching_step(&code(current - 1), now), Some(current - 1));
        assert_eq!(secret.matching_step(&code(current + 1), now), Some(current + 1));
        assert_eq!(secret.matching_step(&code(current - 2), now), None);
        assert_eq!(secret.matching_step(&code(current + 2), now), None);
    }

    #[test]
    fn text_that_is_not_six_digits_matches_nothing() {
        let secret = rfc_secret();
        for text in ["", "12345", "1234567", "abcdef", "12 345", "+12345", "１２３４５６"] {
            assert_eq!(secret.matching_step(text, 59), None, "{text:?}");
        }
    }

    #[test]
    fn the_secret_round_trips_through_base32_and_the_uri_names_it() {
        let secret = TotpSecret::generate().unwrap_or_else(|e| panic!("{e}"));
        let text = secret.to_base32();
        assert_eq!(text.len(), 32, "160 bits are 32 base32 characters");
        assert_eq!(TotpSecret::from_base32(&text).unwrap_or_else(|e| panic!("{e}")), secret);
        let uri = secret.otpauth_uri("Jangteo", "buyer@example.com");
        assert!(uri.starts_with("otpauth://totp/Jangteo:buyer%40example.com?secret="), "{uri}");
        assert!(uri.contains(&format!("secret={text}&issuer=Jangteo")), "{uri}");
        assert!(TotpSecret::from_base32("not base32!").is_err());
        assert!(TotpSecret::from_base32("MFRGG").is_err(), "too short");
    }
}
