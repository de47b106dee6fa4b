//! 동네 인증: a member proves they are in a neighbourhood by their device's position. The
//! geocoder names the 행정동 the point lies in; when the member names the 동네 they mean, the
//! point must lie in it. The name is recorded (sealed under the member's data key) with the
//! time, and counts for [`NEIGHBOURHOOD_VALIDITY_DAYS`]; the position itself is never kept.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jangteo_domain::{
    AccountId, AreaName, DomainError, ValidationError,
    account::{AccountCommand, AccountState, NEIGHBOURHOOD_VALIDITY_DAYS, VerifiedNeighbourhood},
    listing::GeoPoint,
};
use jangteo_identity::{MemberKey, PersonalDataVault, PersonalField};

use crate::{Actor, AppError, Clock, CommandContext, CommandReceipt, Neighbourhoods, UnitOfWork};

/// A 동네 인증 as shown: the neighbourhood's name and how long it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownNeighbourhood {
    /// "강남구 역삼1동".
    pub name: String,
    pub verified_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
}

impl ShownNeighbourhood {
    /// The verification as its owner and others see it, if it still counts at `now`.
    pub(crate) fn of(
        verified: Option<&VerifiedNeighbourhood>,
        key: &MemberKey,
        now: DateTime<Utc>,
    ) -> Result<Option<Self>, AppError> {
        let Some(verified) = verified.filter(|verified| verified.is_valid_at(now)) else { return Ok(None) };
        Ok(Some(Self {
            name: key.open(PersonalField::Neighbourhood, &verified.name)?,
            verified_at: verified.at,
            valid_until: verified.valid_until(),
        }))
    }
}

#[derive(Clone)]
pub struct NeighbourhoodVerifications {
    uow: UnitOfWork,
    vault: PersonalDataVault,
    neighbourhoods: Neighbourhoods,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for NeighbourhoodVerifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeighbourhoodVerifications").finish_non_exhaustive()
    }
}

fn outside(reason: &'static str) -> AppError {
    DomainError::from(ValidationError::new("location", reason)).into()
}

impl NeighbourhoodVerifications {
    pub fn new(
        uow: &UnitOfWork,
        vault: &PersonalDataVault,
        neighbourhoods: &Neighbourhoods,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { uow: uow.clone(), vault: vault.clone(), neighbourhoods: neighbourhoods.clone(), clock }
    }

    /// Verifies the member in the 동네 at `point` (and, when they name one, only if the point
    /// is in it). Verifying again renews it. A point in no 동 (the sea, abroad) or outside the
    /// named 동네 is refused with `location` invalid.
    pub async fn verify(
        &self,
        account: AccountId,
        point: GeoPoint,
        claimed: Option<&AreaName>,
    ) -> Result<(ShownNeighbourhood, CommandReceipt), AppError> {
        let found = self
            .neighbourhoods
            .area_at(point)
            .await?
            .ok_or_else(|| outside("is in no neighbourhood of Korea we know"))?;
        if claimed.is_some_and(|claimed| claimed.as_str() != found.as_str()) {
            return Err(outside("is not within the neighbourhood named"));
        }
        let key = self.vault.member_key(account).await?.ok_or(AppError::NotFound)?;
        let at = self.clock.now();
        let command = AccountCommand::VerifyNeighbourhood {
            neighbourhood: key.seal(PersonalField::Neighbourhood, found.as_str())?,
            at,
        };
        let context = CommandContext::new(Actor::Member(account));
        let receipt = self.uow.execute::<AccountState>(account.as_uuid(), &context, &command).await?.receipt;
        let shown = ShownNeighbourhood {
            name: found.as_str().to_owned(),
            verified_at: at,
            valid_until: at + chrono::Duration::days(NEIGHBOURHOOD_VALIDITY_DAYS),
        };
        Ok((shown, receipt))
    }

    /// The member's 동네 인증 if it still counts; `None` for none, an expired one, or an
    /// erased or unknown member.
    pub async fn current(&self, account: AccountId) -> Result<Option<ShownNeighbourhood>, AppError> {
        let AccountState::Present(state) = self.uow.current::<AccountState>(account.as_uuid()).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        // Most sellers have none, or an expired one: no key is opened for them.
        let Some(verified) = state.neighbourhood.as_ref().filter(|verified| verified.is_valid_at(now)) else {
            return Ok(None);
        };
        let Some(key) = self.vault.member_key(account).await? else { return Ok(None) };
        ShownNeighbourhood::of(Some(verified), &key, now)
    }
}
