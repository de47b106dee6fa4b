//! The member's rights over their data: a copy of everything Jangteo holds about them
//! (`GET /v1/me/export`), and closing the account with erasure (`DELETE /v1/me`).
//!
//! Erasure is crypto-shredding: the member's data key is destroyed, so everything the log sealed
//! of them (e-mail, nickname, phone, address) reads as nothing while the log itself, and the
//! trades the 전자상거래법 keeps for five years, replays as before. In order:
//! 1. the password is checked, and an account with a trade in progress is refused (the other
//!    party and the escrow still need them);
//! 2. every session ends (and the check of 1 runs again, for an order another session placed
//!    meanwhile), and their listings on sale and drafts are withdrawn;
//! 3. `AccountErased` is appended: from here the account is closed;
//! 4. the identity store forgets them in one transaction (data key, password hash, sessions,
//!    second factors, tokens, sign-in records), and their e-mail's claim is released, so the
//!    address may sign up again as a new member.
//!
//! A crash between 3 and 4 is finished later, when a sign-in or a sign-up meets the account
//! (`Accounts::finish_erasure`); before 3, the account is intact and the member can try again.

use jangteo_domain::{
    AccountId, DomainError, Email, ValidationError,
    account::{AccountCommand, AccountState},
    order::OrderStatus,
};
use jangteo_identity::SessionId;
use jangteo_read_models::{ListingDocument, ListingStatusView, OrderDocument, OrderParty};
use serde_json::{Value, json};

use crate::{
    Accounts, Actor, AppError, CommandContext, CommandReceipt, Listings, Mfa, PlainPassword, Profiles,
    Queries, ReadModel, Sessions, SignIns, SocialLogins, UnitOfWork,
};

/// The order statuses of a trade still in progress: closing the account waits for them.
const OPEN: [OrderStatus; 6] = [
    OrderStatus::Placed,
    OrderStatus::Paid,
    OrderStatus::Shipped,
    OrderStatus::Delivered,
    OrderStatus::ReturnRequested,
    OrderStatus::Disputed,
];
/// The most items of one kind an export gathers, page by page.
const EXPORT_LIMIT: usize = 10_000;

/// How a member confirms closing their account.
pub enum ErasureConfirmation {
    /// Their password.
    Password(PlainPassword),
    /// For a member without a password: a sign-in (with their provider) within
    /// [`crate::FRESH_SIGN_IN`], in this session.
    FreshSignIn(SessionId),
}

impl std::fmt::Debug for ErasureConfirmation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErasureConfirmation::Password(_) => f.write_str("Password(<redacted>)"),
            ErasureConfirmation::FreshSignIn(session) => f.debug_tuple("FreshSignIn").field(session).finish(),
        }
    }
}

#[derive(Clone)]
pub struct MemberData {
    accounts: Accounts,
    profiles: Profiles,
    queries: Queries,
    listings: Listings,
    sessions: Sessions,
    sign_ins: SignIns,
    mfa: Mfa,
    social_logins: SocialLogins,
    uow: UnitOfWork,
}

impl std::fmt::Debug for MemberData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberData").finish_non_exhaustive()
    }
}

/// The services the member's data is gathered from and erased through.
#[derive(Clone, Copy)]
pub struct MemberServices<'a> {
    pub accounts: &'a Accounts,
    pub profiles: &'a Profiles,
    pub queries: &'a Queries,
    pub listings: &'a Listings,
    pub sessions: &'a Sessions,
    pub sign_ins: &'a SignIns,
    pub mfa: &'a Mfa,
    pub social_logins: &'a SocialLogins,
    pub uow: &'a UnitOfWork,
}

impl MemberData {
    pub fn new(services: &MemberServices<'_>) -> Self {
        Self {
            accounts: services.accounts.clone(),
            profiles: services.profiles.clone(),
            queries: services.queries.clone(),
            listings: services.listings.clone(),
            sessions: services.sessions.clone(),
            sign_ins: services.sign_ins.clone(),
            mfa: services.mfa.clone(),
            social_logins: services.social_logins.clone(),
            uow: services.uow.clone(),
        }
    }

    /// Closes the member's account and erases what identifies them (see the module's steps).
    /// [`AppError::InvalidCredentials`] for a wrong password; [`AppError::OpenTrades`] while an
    /// order is in progress.
    pub async fn erase(
        &self,
        account: AccountId,
        confirmation: ErasureConfirmation,
    ) -> Result<CommandReceipt, AppError> {
        match confirmation {
            ErasureConfirmation::Password(password) => {
                if !self.accounts.check_password(account, password).await? {
                    return Err(AppError::InvalidCredentials);
                }
            }
            // A member with a password confirms with it; one without (signed up through a
            // provider) by having just signed in.
            ErasureConfirmation::FreshSignIn(session) => {
                if self.accounts.has_password(account).await? {
                    let reason = "is required: this account has one";
                    return Err(DomainError::Invalid(ValidationError::new("password", reason)).into());
                }
                self.sessions.require_fresh(session).await?;
            }
        }
        self.refuse_open_trades(account).await?;
        // Signed out everywhere, then checked again: an order placed from another session
        // before it ended is seen, and none can be placed after.
        self.sessions.end_all(account).await?;
        self.refuse_open_trades(account).await?;
        let email =
            Email::parse(&self.accounts.profile(account).await?.email).map_err(DomainError::Invalid)?;
        let email_index = self.accounts.email_index(&email);
        for listing in
            self.all_listings(account, &[ListingStatusView::Draft, ListingStatusView::OnSale]).await?
        {
            self.listings.withdraw(account, listing.listing_id).await?;
        }
        let context = CommandContext::new(Actor::Member(account));
        let command = AccountCommand::Erase { at: chrono::Utc::now() };
        let receipt = self.uow.execute::<AccountState>(account.as_uuid(), &context, &command).await?.receipt;
        self.accounts.finish_erasure(account, &email_index).await?;
        tracing::info!(%account, "account closed and erased");
        Ok(receipt)
    }

    /// [`AppError::OpenTrades`] while one of the member's orders is in progress, as the log
    /// stands now.
    async fn refuse_open_trades(&self, account: AccountId) -> Result<(), AppError> {
        let head = self.uow.store().head_position().await?;
        self.queries.catch_up(&[ReadModel::OrderDocuments, ReadModel::ListingDocuments], Some(head)).await?;
        for party in [OrderParty::Buyer, OrderParty::Seller] {
            if !self.queries.my_orders(account, party, &OPEN, None, 1, None).await?.items.is_empty() {
                return Err(AppError::OpenTrades);
            }
        }
        Ok(())
    }

    /// Everything Jangteo holds about the member, their personal data opened: the account, its
    /// consents, the providers they sign in with, the sign-in record, the second factor's state
    /// (never its secret), their
    /// listings, orders as buyer and as seller, and favourites.
    pub async fn export(&self, account: AccountId) -> Result<Value, AppError> {
        let profile = self.accounts.profile(account).await?;
        let public = self.profiles.public(account).await?;
        let consents = self.accounts.consents(account).await?;
        let sign_ins: Vec<Value> = self
            .sign_ins
            .history(account)
            .await?
            .into_iter()
            .map(|record| {
                json!({"at": record.at, "outcome": record.outcome.as_str(), "ip": record.ip, "user_agent": record.user_agent})
            })
            .collect();
        let linked: Vec<Value> = self
            .social_logins
            .linked(account)
            .await?
            .into_iter()
            .map(|identity| json!({"provider": identity.provider, "linked_at": identity.linked_at}))
            .collect();
        let listings = self.all_listings(account, &[]).await?;
        let bought = self.all_orders(account, OrderParty::Buyer).await?;
        let sold = self.all_orders(account, OrderParty::Seller).await?;
        let favourites = self.all_favourites(account).await?;
        let consents: serde_json::Map<String, Value> = consents
            .into_iter()
            .map(|(kind, record)| {
                (
                    kind.as_str().to_owned(),
                    json!({"granted": record.granted, "version": record.version, "at": record.at}),
                )
            })
            .collect();
        Ok(json!({
            "exported_at": chrono::Utc::now(),
            "account": {
                "account_id": profile.account_id,
                "email": profile.email,
                "nickname": profile.nickname,
                "role": profile.role.as_str(),
                "phone": profile.phone,
                "phone_verified": profile.phone_verified,
                "address": profile.address,
                "joined_at": public.joined_at,
            },
            "consents": consents,
            "two_factor": {
                "totp": self.mfa.is_enabled(account).await?,
                "recovery_codes_left": self.mfa.recovery_codes_left(account).await?,
            },
            "linked_providers": linked,
            "sign_ins": sign_ins,
            "listings": listings,
            "orders": {"as_buyer": bought, "as_seller": sold},
            "favourites": favourites,
        }))
    }

    async fn all_listings(
        &self,
        account: AccountId,
        statuses: &[ListingStatusView],
    ) -> Result<Vec<ListingDocument>, AppError> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.queries.my_listings(account, statuses, cursor, crate::MAX_PAGE, None).await?;
            all.extend(page.items);
            cursor = page.next_cursor;
            if cursor.is_none() || all.len() >= EXPORT_LIMIT {
                return Ok(all);
            }
        }
    }

    async fn all_orders(
        &self,
        account: AccountId,
        party: OrderParty,
    ) -> Result<Vec<OrderDocument>, AppError> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.queries.my_orders(account, party, &[], cursor, crate::MAX_PAGE, None).await?;
            all.extend(page.items);
            cursor = page.next_cursor;
            if cursor.is_none() || all.len() >= EXPORT_LIMIT {
                return Ok(all);
            }
        }
    }

    async fn all_favourites(&self, account: AccountId) -> Result<Vec<ListingDocument>, AppError> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.queries.my_favourites(account, cursor, crate::MAX_PAGE, None).await?;
            all.extend(page.items.into_iter().map(|favourite| favourite.listing));
            cursor = page.next_cursor;
            if cursor.is_none() || all.len() >= EXPORT_LIMIT {
                return Ok(all);
            }
        }
    }
}
