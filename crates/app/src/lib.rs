//! The application layer: turns requests into domain commands and domain events into stored ones.
//!
//! Every command goes through the one [`UnitOfWork`]: it loads the aggregates (from its cache or
//! by replaying their streams), asks the pure domain to decide, and appends the outcome with the
//! stream versions it read (optimistic concurrency), retrying a lost race. It also runs the process
//! managers that react to the log, builds dispute timelines from the log, and serves queries from
//! the read models. It knows the ports (`EventStore`, `DocumentStore`, `ListingSearch`), never an
//! adapter, and never HTTP.

mod accounts;
mod carts;
mod categories;
mod category_seed;
mod checkouts;
mod clock;
mod context;
mod deadlines;
mod derived_ids;
mod disputes;
mod error;
mod favourites;
mod listing_photos;
mod listings;
mod member_data;
mod member_pages;
mod mfa;
mod neighbourhood_verification;
mod neighbourhoods;
mod operations;
mod order_log;
mod orders;
mod password_resets;
mod passwords;
mod payment_notifications;
mod personal_data_migration;
mod phone_verification;
mod photo_fingerprints;
pub mod process_manager;
mod profiles;
mod queries;
mod reviews;
mod sessions;
mod shipment_tracking;
mod sign_ins;
mod social_logins;
mod timeline;
mod timeline_summary;
mod unit_of_work;

pub use accounts::{
    Accounts, ConsentAnswers, ConsentChanges, ConsentPolicy, ConsentState, FIRST_POLICY_VERSION, Profile,
    Registration, Roles,
};
pub use carts::{CartLine, CartView, Carts, SellerGroup};
pub use categories::Categories;
pub use checkouts::{CheckoutReceipt, Checkouts, PlacedOrder};
pub use clock::{Clock, ManualClock, SystemClock};
pub use context::{Actor, CommandContext};
pub use deadlines::{DeadlinePolicy, Deadlines};
pub use disputes::Disputes;
pub use error::AppError;
pub use favourites::Favourites;
pub use jangteo_read_models::{ProgressReporter, ProjectionProgress, ReadModel};
pub use listing_photos::ListingPhotos;
pub use listings::{ListingChanges, Listings, NeighbourhoodNamer, NewListing, PhotoFingerprints};
pub use member_data::{ErasureConfirmation, MemberData, MemberServices};
pub use member_pages::{FavouriteListing, MAX_PAGE, MemberPage, TradeRecord};
pub use mfa::{Mfa, RecoveryCode, TotpEnrollment};
pub use neighbourhood_verification::{NeighbourhoodVerifications, ShownNeighbourhood};
pub use neighbourhoods::{MAX_MEETING_PLACES, Neighbourhoods};
pub use operations::{BackendStatus, LagReport, Operations, ProjectionLag};
pub use orders::{OrderReceipt, Orders, PaymentRequest};
pub use password_resets::PasswordResets;
pub use passwords::PlainPassword;
pub use payment_notifications::{NotificationOutcome, PaymentNotification};
pub use personal_data_migration::PersonalDataMigration;
pub use phone_verification::{ATTEMPTS as PHONE_CODE_ATTEMPTS, PhoneVerifications};
pub use photo_fingerprints::MAX_LISTINGS_WITH_PHOTO;
pub use profiles::{ProfileChanges, Profiles, PublicProfile};
pub use queries::{ListingPage, ListingView, Queries};
pub use reviews::{Reviews, ShownReview, TradeReviewsView};
pub use sessions::{FRESH_SIGN_IN, RefreshToken, SessionTokens, Sessions};
pub use shipment_tracking::ShipmentTracking;
pub use sign_ins::{ClientInfo, SignInRecord, SignInStep, SignIns};
pub use social_logins::{ProviderAnswer, SocialLogins, SocialSignIn};
pub use timeline::{Timeline, TimelineEntry, TimelineParty, Timelines};
pub use unit_of_work::{CommandReceipt, CommandStats, DEFAULT_CACHE_CAPACITY, UnitOfWork};
