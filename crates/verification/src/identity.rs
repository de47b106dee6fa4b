//! 본인인증: a certified agency (NICE평가정보, KCB) confirms that a name, a birth date and a phone
//! number are one person's, and gives the person's connecting information (CI), the same for
//! them at every service. Only the simulated adapter exists so far.

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::VerificationError;

/// Who a member says they are.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityCheck {
    pub name: String,
    pub birth_date: NaiveDate,
    pub phone: String,
}

impl std::fmt::Debug for IdentityCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityCheck(<redacted>)")
    }
}

/// What the agency answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityVerdict {
    /// The details are one person's; `ci` is their connecting information.
    Confirmed {
        ci: String,
    },
    Rejected,
}

#[async_trait]
pub trait IdentityVerifier: Send + Sync + 'static {
    async fn verify(&self, check: &IdentityCheck) -> Result<IdentityVerdict, VerificationError>;
}

/// A simulated verifier, named so: it asks no agency. It confirms every adult (19 or older on
/// `today`) with a name and derives a stable stand-in CI from the details, so that development
/// and tests run the whole flow; it rejects minors, as a marketplace must for some goods.
#[derive(Debug, Clone)]
pub struct SimulatedIdentityVerifier {
    today: NaiveDate,
}

impl SimulatedIdentityVerifier {
    pub fn new(today: NaiveDate) -> Self {
        Self { today }
    }
}

#[async_trait]
impl IdentityVerifier for SimulatedIdentityVerifier {
    async fn verify(&self, check: &IdentityCheck) -> Result<IdentityVerdict, VerificationError> {
        let adult = self.today.years_since(check.birth_date).is_some_and(|age| age >= 19);
        if check.name.trim().is_empty() || !adult {
            return Ok(IdentityVerdict::Rejected);
        }
        let details = format!("{}|{}|{}", check.name.trim(), check.birth_date, check.phone);
        let ci = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, details.as_bytes()).simple().to_string();
        Ok(IdentityVerdict::Confirmed { ci: format!("simulated-{ci}") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, birth: (i32, u32, u32)) -> IdentityCheck {
        IdentityCheck {
            name: name.to_owned(),
            birth_date: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap_or_default(),
            phone: "010-1234-5678".to_owned(),
        }
    }

    #[tokio::test]
    async fn the_simulated_verifier_confirms_adults_with_a_stable_ci_and_rejects_minors() {
        let verifier =
            SimulatedIdentityVerifier::new(NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default());
        let adult = verifier.verify(&check("홍길동", (1990, 1, 1))).await.ok();
        assert!(matches!(&adult, Some(IdentityVerdict::Confirmed { ci }) if ci.starts_with("simulated-")));
        assert_eq!(
            verifier.verify(&check("홍길동", (1990, 1, 1))).await.ok(),
            adult,
            "the same person, the same CI"
        );
        assert_ne!(verifier.verify(&check("김철수", (1990, 1, 1))).await.ok(), adult);
        assert_eq!(
            verifier.verify(&check("어린이", (2010, 5, 5))).await.ok(),
            Some(IdentityVerdict::Rejected)
        );
        assert_eq!(verifier.verify(&check(" ", (1990, 1, 1))).await.ok(), Some(IdentityVerdict::Rejected));
    }
}
