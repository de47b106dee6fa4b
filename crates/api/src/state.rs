//! What every handler can reach: the application services and the token service.

use jangteo_app::{
    Accounts, Carts, Categories, Checkouts, Disputes, Favourites, ListingPhotos, Listings, MemberData, Mfa,
    NeighbourhoodVerifications, Neighbourhoods, Operations, Orders, PasswordResets, PhoneVerifications,
    Profiles, Queries, Sessions, SignIns, SocialLogins, Timelines,
};

use crate::TokenService;

#[derive(Clone)]
pub struct ApiState {
    pub accounts: Accounts,
    pub profiles: Profiles,
    pub member_data: MemberData,
    pub phone_verifications: PhoneVerifications,
    pub sessions: Sessions,
    pub sign_ins: SignIns,
    pub social_logins: SocialLogins,
    pub password_resets: PasswordResets,
    pub mfa: Mfa,
    pub categories: Categories,
    pub listings: Listings,
    pub photos: ListingPhotos,
    pub neighbourhoods: Neighbourhoods,
    pub neighbourhood_verifications: NeighbourhoodVerifications,
    pub orders: Orders,
    pub disputes: Disputes,
    pub carts: Carts,
    pub checkouts: Checkouts,
    pub favourites: Favourites,
    pub queries: Queries,
    pub timelines: Timelines,
    pub operations: Operations,
    pub tokens: TokenService,
}
