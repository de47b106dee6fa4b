//! The identity store's statements, written once for PostgreSQL and SQLite: sqlx numbers `$N`
//! parameters on both, and [`identity_store_on`] stamps the three ports out for each database
//! (concrete types read and compile more simply than sqlx's generic bounds). Times kept as text
//! (SQLite's TIMESTAMPTZ) are compared here, in Rust; those the statements compare are kept as
//! milliseconds since the epoch.

/// The identity store over one sqlx pool; `crate::postgres` and `crate::sqlite` open it.
pub struct SqlIdentityStore<DB: sqlx::Database> {
    pub(crate) pool: sqlx::Pool<DB>,
}

impl<DB: sqlx::Database> Clone for SqlIdentityStore<DB> {
    fn clone(&self) -> Self {
        Self { pool: self.pool.clone() }
    }
}

impl<DB: sqlx::Database> std::fmt::Debug for SqlIdentityStore<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlIdentityStore").field("database", &DB::NAME).finish_non_exhaustive()
    }
}

impl<DB: sqlx::Database> SqlIdentityStore<DB> {
    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Implements [`crate::KeyStore`], [`crate::CredentialStore`], [`crate::SessionStore`],
/// [`crate::SignInLog`], [`crate::MaintenanceSteps`], [`crate::OneTimeTokenStore`] and
/// [`crate::MfaStore`], [`crate::MemberErasure`], [`crate::PhoneVerificationStore`] and
/// [`crate::SocialLoginStore`] for
/// `SqlIdentityStore<$db>`.
macro_rules! identity_store_on {
    ($db:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use jangteo_domain::{AccountId, PasswordHash};
        use uuid::Uuid;

        use crate::{
            AttemptKey, CredentialStore, IdentityError, IssuedToken, KeyOwner, KeyStore, MaintenanceSteps,
            LinkedIdentity, MemberErasure, MfaStore, NewSession, PendingPhone, PendingPurpose, PhoneVerificationStore, OneTimeTokenStore, Rewrap, Rotation, SessionId, SessionStore, SignInAttempt,
            SignInLog, SignInOutcome, SocialLoginStore, TokenDigest, TokenPurpose, TotpFactor, WrappedKey, sql::SqlIdentityStore,
        };

        #[async_trait]
        impl KeyStore for SqlIdentityStore<$db> {
            async fn insert_data_key(
                &self,
                account: AccountId,
                wrapped: &WrappedKey,
            ) -> Result<bool, IdentityError> {
                let inserted = sqlx::query(
                    "INSERT INTO data_keys (account_id, wrapped, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (account_id) DO NOTHING",
                )
                .bind(account.as_uuid())
                .bind(wrapped.0.clone())
                .bind(Utc::now())
                .execute(&self.pool)
                .await?;
                Ok(inserted.rows_affected() == 1)
            }

            async fn data_key(&self, account: AccountId) -> Result<Option<WrappedKey>, IdentityError> {
                let wrapped: Option<(Vec<u8>,)> =
                    sqlx::query_as("SELECT wrapped FROM data_keys WHERE account_id = $1")
                        .bind(account.as_uuid())
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(wrapped.map(|(bytes,)| WrappedKey(bytes)))
            }

            async fn destroy_data_key(&self, account: AccountId) -> Result<bool, IdentityError> {
                let deleted = sqlx::query("DELETE FROM data_keys WHERE account_id = $1")
                    .bind(account.as_uuid())
                    .execute(&self.pool)
                    .await?;
                Ok(deleted.rows_affected() == 1)
            }

            async fn insert_system_key(&self, name: &str, wrapped: &WrappedKey) -> Result<bool, IdentityError> {
                let inserted = sqlx::query(
                    "INSERT INTO system_keys (name, wrapped) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                )
                .bind(name.to_owned())
                .bind(wrapped.0.clone())
                .execute(&self.pool)
                .await?;
                Ok(inserted.rows_affected() == 1)
            }

            async fn system_key(&self, name: &str) -> Result<Option<WrappedKey>, IdentityError> {
                let wrapped: Option<(Vec<u8>,)> = sqlx::query_as("SELECT wrapped FROM system_keys WHERE name = $1")
                    .bind(name.to_owned())
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(wrapped.map(|(bytes,)| WrappedKey(bytes)))
            }

            async fn rewrap_all(&self, rewrap: &Rewrap<'_>) -> Result<u64, IdentityError> {
                let mut transaction = self.pool.begin().await?;
                // No key may be added under the old master key while the rest are rewrapped
                // (a sign-up racing the rotation): PostgreSQL locks the tables against writers;
                // on SQLite a write committed after this transaction's reads makes its first
                // UPDATE fail (a stale snapshot cannot write), so the rotation fails whole and
                // is run again, rather than missing the new key.
                if <$db as sqlx::Database>::NAME == "PostgreSQL" {
                    sqlx::query("LOCK TABLE data_keys, system_keys IN EXCLUSIVE MODE")
                        .execute(&mut *transaction)
                        .await?;
                }
                let members: Vec<(Uuid, Vec<u8>)> = sqlx::query_as("SELECT account_id, wrapped FROM data_keys")
                    .fetch_all(&mut *transaction)
                    .await?;
                let systems: Vec<(String, Vec<u8>)> = sqlx::query_as("SELECT name, wrapped FROM system_keys")
                    .fetch_all(&mut *transaction)
                    .await?;
                let mut count = 0_u64;
                for (account, wrapped) in members {
                    let owner = KeyOwner::Member(AccountId::from_uuid(account));
                    let next = rewrap(owner, &WrappedKey(wrapped))?;
                    sqlx::query("UPDATE data_keys SET wrapped = $1 WHERE account_id = $2")
                        .bind(next.0)
                        .bind(account)
                        .execute(&mut *transaction)
                        .await?;
                    count += 1;
                }
                for (name, wrapped) in systems {
                    let next = rewrap(KeyOwner::System(&name), &WrappedKey(wrapped))?;
                    sqlx::query("UPDATE system_keys SET wrapped = $1 WHERE name = $2")
                        .bind(next.0)
                        .bind(name)
                        .execute(&mut *transaction)
                        .await?;
                    count += 1;
                }
                transaction.commit().await?;
                Ok(count)
            }
        }

        #[async_trait]
        impl CredentialStore for SqlIdentityStore<$db> {
            async fn set_password_hash(
                &self,
                account: AccountId,
                hash: &PasswordHash,
                at: DateTime<Utc>,
            ) -> Result<(), IdentityError> {
                sqlx::query(
                    "INSERT INTO credentials (account_id, password_hash, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (account_id) DO UPDATE SET password_hash = excluded.password_hash, \
                     updated_at = excluded.updated_at",
                )
                .bind(account.as_uuid())
                .bind(hash.as_str().to_owned())
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn password_hash(&self, account: AccountId) -> Result<Option<PasswordHash>, IdentityError> {
                let stored: Option<(String,)> =
                    sqlx::query_as("SELECT password_hash FROM credentials WHERE account_id = $1")
                        .bind(account.as_uuid())
                        .fetch_optional(&self.pool)
                        .await?;
                stored
                    .map(|(hash,)| PasswordHash::parse(&hash).map_err(|error| IdentityError::Corrupt(error.to_string())))
                    .transpose()
            }

            async fn delete_credentials(&self, account: AccountId) -> Result<(), IdentityError> {
                sqlx::query("DELETE FROM credentials WHERE account_id = $1")
                    .bind(account.as_uuid())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }

        #[async_trait]
        impl SignInLog for SqlIdentityStore<$db> {
            async fn record_sign_in(&self, attempt: &SignInAttempt) -> Result<(), IdentityError> {
                sqlx::query(
                    "INSERT INTO sign_ins (attempt_id, email_index, account_id, ip, user_agent, outcome, at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(Uuid::now_v7())
                .bind(attempt.email_index.clone())
                .bind(attempt.account.map(|account| account.as_uuid()))
                .bind(attempt.ip.clone())
                .bind(attempt.user_agent.clone())
                .bind(attempt.outcome.as_str())
                .bind(attempt.at.timestamp_millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn recent_failures(
                &self,
                key: AttemptKey<'_>,
                since: DateTime<Utc>,
                limit: u32,
            ) -> Result<Vec<DateTime<Utc>>, IdentityError> {
                let (column, value) = match key {
                    AttemptKey::EmailIndex(index) => ("email_index", index),
                    AttemptKey::Ip(ip) => ("ip", ip),
                };
                let times: Vec<(i64,)> = sqlx::query_as(&format!(
                    "SELECT at_ms FROM sign_ins WHERE {column} = $1 AND outcome IN ('failed', 'mfa_failed') \
                     AND at_ms > $2 ORDER BY at_ms DESC LIMIT $3"
                ))
                .bind(value.to_owned())
                .bind(since.timestamp_millis())
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                times.into_iter().map(|(at,)| time_of(at)).collect()
            }

            async fn sign_ins_of(&self, account: AccountId, limit: u32) -> Result<Vec<SignInAttempt>, IdentityError> {
                let rows: Vec<(String, Option<String>, Option<String>, String, i64)> = sqlx::query_as(
                    "SELECT email_index, ip, user_agent, outcome, at_ms FROM sign_ins WHERE account_id = $1 \
                     ORDER BY at_ms DESC LIMIT $2",
                )
                .bind(account.as_uuid())
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(email_index, ip, user_agent, outcome, at)| {
                        Ok(SignInAttempt {
                            email_index,
                            account: Some(account),
                            ip,
                            user_agent,
                            outcome: SignInOutcome::parse(&outcome)
                                .ok_or_else(|| IdentityError::Corrupt(format!("sign-in outcome {outcome:?}")))?,
                            at: time_of(at)?,
                        })
                    })
                    .collect()
            }
        }

        async fn insert_refresh_token(
            transaction: &mut sqlx::Transaction<'_, $db>,
            digest: &TokenDigest,
            session: Uuid,
            issued_at: DateTime<Utc>,
            expires_at: DateTime<Utc>,
        ) -> Result<(), IdentityError> {
            sqlx::query(
                "INSERT INTO refresh_tokens (token_digest, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(digest.0.to_vec())
            .bind(session)
            .bind(issued_at)
            .bind(expires_at)
            .execute(&mut **transaction)
            .await?;
            Ok(())
        }

        fn time_of(millis: i64) -> Result<DateTime<Utc>, IdentityError> {
            DateTime::from_timestamp_millis(millis)
                .ok_or_else(|| IdentityError::Corrupt(format!("a time of {millis} ms")))
        }

        #[async_trait]
        impl MaintenanceSteps for SqlIdentityStore<$db> {
            async fn is_done(&self, step: &str) -> Result<bool, IdentityError> {
                let found: Option<(String,)> = sqlx::query_as("SELECT name FROM maintenance_steps WHERE name = $1")
                    .bind(step.to_owned())
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(found.is_some())
            }

            async fn mark_done(&self, step: &str, at: DateTime<Utc>) -> Result<(), IdentityError> {
                sqlx::query("INSERT INTO maintenance_steps (name, done_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                    .bind(step.to_owned())
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }

        #[async_trait]
        impl SessionStore for SqlIdentityStore<$db> {
            async fn start_session(&self, session: &NewSession) -> Result<(), IdentityError> {
                let mut transaction = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO sessions (session_id, account_id, started_at, expires_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(session.session_id.as_uuid())
                .bind(session.account.as_uuid())
                .bind(session.started_at)
                .bind(session.expires_at)
                .execute(&mut *transaction)
                .await?;
                insert_refresh_token(
                    &mut transaction,
                    &session.refresh_token,
                    session.session_id.as_uuid(),
                    session.started_at,
                    session.refresh_expires_at.min(session.expires_at),
                )
                .await?;
                transaction.commit().await?;
                Ok(())
            }

            async fn rotate_refresh_token(
                &self,
                presented: &TokenDigest,
                next: &TokenDigest,
                now: DateTime<Utc>,
                next_expires_at: DateTime<Utc>,
            ) -> Result<Rotation, IdentityError> {
                let mut transaction = self.pool.begin().await?;
                // Using the token up is the first statement: it takes the write lock (SQLite) or
                // the row lock (PostgreSQL), so of two presentations at once exactly one finds it
                // unused and the other sees a reuse.
                let used_now = sqlx::query(
                    "UPDATE refresh_tokens SET used_at = $1 WHERE token_digest = $2 AND used_at IS NULL",
                )
                .bind(now)
                .bind(presented.0.to_vec())
                .execute(&mut *transaction)
                .await?
                .rows_affected()
                    == 1;
                let found: Option<(Uuid, DateTime<Utc>, Uuid, DateTime<Utc>, Option<DateTime<Utc>>)> =
                    sqlx::query_as(
                        "SELECT t.session_id, t.expires_at, s.account_id, s.expires_at, s.ended_at \
                         FROM refresh_tokens t JOIN sessions s ON s.session_id = t.session_id \
                         WHERE t.token_digest = $1",
                    )
                    .bind(presented.0.to_vec())
                    .fetch_optional(&mut *transaction)
                    .await?;
                let Some((session, token_expires_at, account, session_expires_at, ended_at)) = found else {
                    return Ok(Rotation::Refused);
                };
                let session_id = SessionId::from_uuid(session);
                let account = AccountId::from_uuid(account);
                if !used_now {
                    sqlx::query("UPDATE sessions SET ended_at = $1 WHERE session_id = $2 AND ended_at IS NULL")
                        .bind(now)
                        .bind(session)
                        .execute(&mut *transaction)
                        .await?;
                    transaction.commit().await?;
                    return Ok(Rotation::Reused { session_id, account });
                }
                if ended_at.is_some() || token_expires_at <= now || session_expires_at <= now {
                    transaction.commit().await?;
                    return Ok(Rotation::Refused);
                }
                insert_refresh_token(&mut transaction, next, session, now, next_expires_at.min(session_expires_at))
                    .await?;
                transaction.commit().await?;
                Ok(Rotation::Rotated { session_id, account })
            }

            async fn active_session(
                &self,
                session_id: SessionId,
                now: DateTime<Utc>,
            ) -> Result<Option<AccountId>, IdentityError> {
                let found: Option<(Uuid, DateTime<Utc>, Option<DateTime<Utc>>)> =
                    sqlx::query_as("SELECT account_id, expires_at, ended_at FROM sessions WHERE session_id = $1")
                        .bind(session_id.as_uuid())
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(found.and_then(|(account, expires_at, ended_at)| {
                    (ended_at.is_none() && expires_at > now).then_some(AccountId::from_uuid(account))
                }))
            }

            async fn session_started_at(
                &self,
                session_id: SessionId,
                now: DateTime<Utc>,
            ) -> Result<Option<DateTime<Utc>>, IdentityError> {
                let found: Option<(DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>)> = sqlx::query_as(
                    "SELECT started_at, expires_at, ended_at FROM sessions WHERE session_id = $1",
                )
                .bind(session_id.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.and_then(|(started_at, expires_at, ended_at)| {
                    (ended_at.is_none() && expires_at > now).then_some(started_at)
                }))
            }

            async fn end_session(&self, session_id: SessionId, now: DateTime<Utc>) -> Result<bool, IdentityError> {
                let ended = sqlx::query("UPDATE sessions SET ended_at = $1 WHERE session_id = $2 AND ended_at IS NULL")
                    .bind(now)
                    .bind(session_id.as_uuid())
                    .execute(&self.pool)
                    .await?;
                Ok(ended.rows_affected() == 1)
            }

            async fn end_all_sessions(&self, account: AccountId, now: DateTime<Utc>) -> Result<u64, IdentityError> {
                let ended = sqlx::query("UPDATE sessions SET ended_at = $1 WHERE account_id = $2 AND ended_at IS NULL")
                    .bind(now)
                    .bind(account.as_uuid())
                    .execute(&self.pool)
                    .await?;
                Ok(ended.rows_affected())
            }
        }

        #[async_trait]
        impl OneTimeTokenStore for SqlIdentityStore<$db> {
            async fn issue_token(&self, token: &IssuedToken) -> Result<(), IdentityError> {
                sqlx::query(
                    "INSERT INTO one_time_tokens (token_digest, purpose, account_id, issued_at_ms, expires_at_ms) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(token.digest.0.to_vec())
                .bind(token.purpose.as_str())
                .bind(token.account.as_uuid())
                .bind(token.issued_at.timestamp_millis())
                .bind(token.expires_at.timestamp_millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn peek_token(
                &self,
                digest: &TokenDigest,
                purpose: TokenPurpose,
                now: DateTime<Utc>,
            ) -> Result<Option<AccountId>, IdentityError> {
                let found: Option<(Uuid,)> = sqlx::query_as(
                    "SELECT account_id FROM one_time_tokens WHERE token_digest = $1 AND purpose = $2 \
                     AND used_at_ms IS NULL AND expires_at_ms > $3",
                )
                .bind(digest.0.to_vec())
                .bind(purpose.as_str())
                .bind(now.timestamp_millis())
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.map(|(account,)| AccountId::from_uuid(account)))
            }

            async fn use_token(
                &self,
                digest: &TokenDigest,
                purpose: TokenPurpose,
                now: DateTime<Utc>,
            ) -> Result<Option<AccountId>, IdentityError> {
                // One statement: the row lock (PostgreSQL) or the write lock (SQLite) lets one of
                // two presentations at once find it unused.
                let used: Option<(Uuid,)> = sqlx::query_as(
                    "UPDATE one_time_tokens SET used_at_ms = $1 WHERE token_digest = $2 AND purpose = $3 \
                     AND used_at_ms IS NULL AND expires_at_ms > $1 RETURNING account_id",
                )
                .bind(now.timestamp_millis())
                .bind(digest.0.to_vec())
                .bind(purpose.as_str())
                .fetch_optional(&self.pool)
                .await?;
                Ok(used.map(|(account,)| AccountId::from_uuid(account)))
            }

            async fn void_tokens(
                &self,
                account: AccountId,
                purpose: TokenPurpose,
                now: DateTime<Utc>,
            ) -> Result<u64, IdentityError> {
                let voided = sqlx::query(
                    "UPDATE one_time_tokens SET used_at_ms = $1 WHERE account_id = $2 AND purpose = $3 \
                     AND used_at_ms IS NULL",
                )
                .bind(now.timestamp_millis())
                .bind(account.as_uuid())
                .bind(purpose.as_str())
                .execute(&self.pool)
                .await?;
                Ok(voided.rows_affected())
            }

            async fn tokens_issued_since(
                &self,
                account: AccountId,
                purpose: TokenPurpose,
                since: DateTime<Utc>,
            ) -> Result<u64, IdentityError> {
                let (count,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM one_time_tokens WHERE account_id = $1 AND purpose = $2 \
                     AND issued_at_ms > $3",
                )
                .bind(account.as_uuid())
                .bind(purpose.as_str())
                .bind(since.timestamp_millis())
                .fetch_one(&self.pool)
                .await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }
        }

        #[async_trait]
        impl MfaStore for SqlIdentityStore<$db> {
            async fn stage_totp(
                &self,
                account: AccountId,
                sealed_secret: &str,
                at: DateTime<Utc>,
            ) -> Result<bool, IdentityError> {
                let staged = sqlx::query(
                    "INSERT INTO totp_factors (account_id, sealed_secret, confirmed_at, last_step, created_at) \
                     VALUES ($1, $2, NULL, 0, $3) \
                     ON CONFLICT (account_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, \
                     last_step = 0, created_at = excluded.created_at \
                     WHERE totp_factors.confirmed_at IS NULL",
                )
                .bind(account.as_uuid())
                .bind(sealed_secret.to_owned())
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(staged.rows_affected() == 1)
            }

            async fn totp(&self, account: AccountId) -> Result<Option<TotpFactor>, IdentityError> {
                let found: Option<(String, Option<DateTime<Utc>>, i64)> = sqlx::query_as(
                    "SELECT sealed_secret, confirmed_at, last_step FROM totp_factors WHERE account_id = $1",
                )
                .bind(account.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.map(|(sealed_secret, confirmed_at, last_step)| TotpFactor {
                    sealed_secret,
                    confirmed: confirmed_at.is_some(),
                    last_step,
                }))
            }

            async fn advance_totp_step(&self, account: AccountId, step: i64) -> Result<bool, IdentityError> {
                let advanced = sqlx::query(
                    "UPDATE totp_factors SET last_step = $1 WHERE account_id = $2 AND last_step < $1",
                )
                .bind(step)
                .bind(account.as_uuid())
                .execute(&self.pool)
                .await?;
                Ok(advanced.rows_affected() == 1)
            }

            async fn confirm_totp(
                &self,
                account: AccountId,
                step: i64,
                recovery_codes: &[TokenDigest],
                at: DateTime<Utc>,
            ) -> Result<bool, IdentityError> {
                let mut transaction = self.pool.begin().await?;
                let confirmed = sqlx::query(
                    "UPDATE totp_factors SET confirmed_at = $1, last_step = $2 \
                     WHERE account_id = $3 AND confirmed_at IS NULL AND last_step < $2",
                )
                .bind(at)
                .bind(step)
                .bind(account.as_uuid())
                .execute(&mut *transaction)
                .await?;
                if confirmed.rows_affected() != 1 {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
                    .bind(account.as_uuid())
                    .execute(&mut *transaction)
                    .await?;
                for code in recovery_codes {
                    sqlx::query("INSERT INTO recovery_codes (code_digest, account_id) VALUES ($1, $2)")
                        .bind(code.0.to_vec())
                        .bind(account.as_uuid())
                        .execute(&mut *transaction)
                        .await?;
                }
                transaction.commit().await?;
                Ok(true)
            }

            async fn use_recovery_code(
                &self,
                account: AccountId,
                code: &TokenDigest,
                at: DateTime<Utc>,
            ) -> Result<bool, IdentityError> {
                let used = sqlx::query(
                    "UPDATE recovery_codes SET used_at = $1 WHERE code_digest = $2 AND account_id = $3 \
                     AND used_at IS NULL",
                )
                .bind(at)
                .bind(code.0.to_vec())
                .bind(account.as_uuid())
                .execute(&self.pool)
                .await?;
                Ok(used.rows_affected() == 1)
            }

            async fn recovery_codes_left(&self, account: AccountId) -> Result<u64, IdentityError> {
                let (count,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
                )
                .bind(account.as_uuid())
                .fetch_one(&self.pool)
                .await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn remove_totp(&self, account: AccountId) -> Result<bool, IdentityError> {
                let mut transaction = self.pool.begin().await?;
                sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
                    .bind(account.as_uuid())
                    .execute(&mut *transaction)
                    .await?;
                let removed = sqlx::query("DELETE FROM totp_factors WHERE account_id = $1")
                    .bind(account.as_uuid())
                    .execute(&mut *transaction)
                    .await?;
                transaction.commit().await?;
                Ok(removed.rows_affected() == 1)
            }
        }

        #[async_trait]
        impl MemberErasure for SqlIdentityStore<$db> {
            async fn erase_member(&self, account: AccountId, email_index: &str) -> Result<(), IdentityError> {
                let member = account.as_uuid();
                let mut transaction = self.pool.begin().await?;
                // Refresh tokens go with their sessions (ON DELETE CASCADE).
                for statement in [
                    "DELETE FROM sessions WHERE account_id = $1",
                    "DELETE FROM credentials WHERE account_id = $1",
                    "DELETE FROM one_time_tokens WHERE account_id = $1",
                    "DELETE FROM recovery_codes WHERE account_id = $1",
                    "DELETE FROM totp_factors WHERE account_id = $1",
                    "DELETE FROM phone_verifications WHERE account_id = $1",
                    "DELETE FROM social_login_pending WHERE account_id = $1",
                    "DELETE FROM external_identities WHERE account_id = $1",
                    "DELETE FROM data_keys WHERE account_id = $1",
                ] {
                    sqlx::query(statement).bind(member).execute(&mut *transaction).await?;
                }
                sqlx::query("DELETE FROM sign_ins WHERE account_id = $1 OR email_index = $2")
                    .bind(member)
                    .bind(email_index.to_owned())
                    .execute(&mut *transaction)
                    .await?;
                transaction.commit().await?;
                Ok(())
            }
        }

        #[async_trait]
        impl PhoneVerificationStore for SqlIdentityStore<$db> {
            async fn begin_phone_verification(
                &self,
                account: AccountId,
                pending: &PendingPhone,
                replaces_sent_before: DateTime<Utc>,
            ) -> Result<bool, IdentityError> {
                let stored = sqlx::query(
                    "INSERT INTO phone_verifications (account_id, sealed_phone, code_digest, sent_at_ms, \
                     expires_at_ms, attempts_left) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (account_id) DO UPDATE SET sealed_phone = excluded.sealed_phone, \
                     code_digest = excluded.code_digest, sent_at_ms = excluded.sent_at_ms, \
                     expires_at_ms = excluded.expires_at_ms, attempts_left = excluded.attempts_left \
                     WHERE phone_verifications.sent_at_ms <= $7",
                )
                .bind(account.as_uuid())
                .bind(pending.sealed_phone.clone())
                .bind(pending.code_digest.clone())
                .bind(pending.sent_at.timestamp_millis())
                .bind(pending.expires_at.timestamp_millis())
                .bind(i64::from(pending.attempts_left))
                .bind(replaces_sent_before.timestamp_millis())
                .execute(&self.pool)
                .await?;
                Ok(stored.rows_affected() == 1)
            }

            async fn pending_phone(&self, account: AccountId) -> Result<Option<PendingPhone>, IdentityError> {
                let found: Option<(String, String, i64, i64, i64)> = sqlx::query_as(
                    "SELECT sealed_phone, code_digest, sent_at_ms, expires_at_ms, attempts_left \
                     FROM phone_verifications WHERE account_id = $1",
                )
                .bind(account.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
                found
                    .map(|(sealed_phone, code_digest, sent_at, expires_at, attempts_left)| {
                        Ok(PendingPhone {
                            sealed_phone,
                            code_digest,
                            sent_at: time_of(sent_at)?,
                            expires_at: time_of(expires_at)?,
                            attempts_left: u32::try_from(attempts_left)
                                .map_err(|_| IdentityError::Corrupt(format!("{attempts_left} tries left")))?,
                        })
                    })
                    .transpose()
            }

            async fn spend_phone_attempt(&self, account: AccountId) -> Result<Option<u32>, IdentityError> {
                let left: Option<(i64,)> = sqlx::query_as(
                    "UPDATE phone_verifications SET attempts_left = attempts_left - 1 \
                     WHERE account_id = $1 AND attempts_left > 0 RETURNING attempts_left",
                )
                .bind(account.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
                left.map(|(left,)| {
                    u32::try_from(left).map_err(|_| IdentityError::Corrupt(format!("{left} tries left")))
                })
                .transpose()
            }

            async fn end_phone_verification(&self, account: AccountId) -> Result<(), IdentityError> {
                sqlx::query("DELETE FROM phone_verifications WHERE account_id = $1")
                    .bind(account.as_uuid())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }

        #[async_trait]
        impl SocialLoginStore for SqlIdentityStore<$db> {
            async fn put_pending(
                &self,
                digest: &TokenDigest,
                purpose: PendingPurpose,
                account: Option<AccountId>,
                payload: &str,
                now: DateTime<Utc>,
                expires_at: DateTime<Utc>,
            ) -> Result<(), IdentityError> {
                let mut transaction = self.pool.begin().await?;
                sqlx::query("DELETE FROM social_login_pending WHERE expires_at_ms <= $1")
                    .bind(now.timestamp_millis())
                    .execute(&mut *transaction)
                    .await?;
                sqlx::query(
                    "INSERT INTO social_login_pending (token_digest, purpose, account_id, payload, expires_at_ms) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(digest.0.to_vec())
                .bind(purpose.as_str())
                .bind(account.map(|account| account.as_uuid()))
                .bind(payload.to_owned())
                .bind(expires_at.timestamp_millis())
                .execute(&mut *transaction)
                .await?;
                transaction.commit().await?;
                Ok(())
            }

            async fn pending(
                &self,
                digest: &TokenDigest,
                purpose: PendingPurpose,
                now: DateTime<Utc>,
            ) -> Result<Option<String>, IdentityError> {
                let found: Option<(String,)> = sqlx::query_as(
                    "SELECT payload FROM social_login_pending WHERE token_digest = $1 AND purpose = $2 \
                     AND expires_at_ms > $3",
                )
                .bind(digest.0.to_vec())
                .bind(purpose.as_str())
                .bind(now.timestamp_millis())
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.map(|(payload,)| payload))
            }

            async fn take_pending(
                &self,
                digest: &TokenDigest,
                purpose: PendingPurpose,
                now: DateTime<Utc>,
            ) -> Result<Option<String>, IdentityError> {
                // One statement, as for single-use tokens: of two takes at once, one deletes the row.
                let taken: Option<(String,)> = sqlx::query_as(
                    "DELETE FROM social_login_pending WHERE token_digest = $1 AND purpose = $2 \
                     AND expires_at_ms > $3 RETURNING payload",
                )
                .bind(digest.0.to_vec())
                .bind(purpose.as_str())
                .bind(now.timestamp_millis())
                .fetch_optional(&self.pool)
                .await?;
                Ok(taken.map(|(payload,)| payload))
            }

            async fn link_identity(
                &self,
                provider: &str,
                subject_index: &str,
                account: AccountId,
                at: DateTime<Utc>,
            ) -> Result<bool, IdentityError> {
                let linked = sqlx::query(
                    "INSERT INTO external_identities (provider, subject_index, account_id, linked_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (provider, subject_index) DO NOTHING",
                )
                .bind(provider.to_owned())
                .bind(subject_index.to_owned())
                .bind(account.as_uuid())
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(linked.rows_affected() == 1)
            }

            async fn unlink_identities(&self, account: AccountId) -> Result<u64, IdentityError> {
                let unlinked = sqlx::query("DELETE FROM external_identities WHERE account_id = $1")
                    .bind(account.as_uuid())
                    .execute(&self.pool)
                    .await?;
                Ok(unlinked.rows_affected())
            }

            async fn identity_owner(
                &self,
                provider: &str,
                subject_index: &str,
            ) -> Result<Option<AccountId>, IdentityError> {
                let owner: Option<(Uuid,)> = sqlx::query_as(
                    "SELECT account_id FROM external_identities WHERE provider = $1 AND subject_index = $2",
                )
                .bind(provider.to_owned())
                .bind(subject_index.to_owned())
                .fetch_optional(&self.pool)
                .await?;
                Ok(owner.map(|(account,)| AccountId::from_uuid(account)))
            }

            async fn identities_of(&self, account: AccountId) -> Result<Vec<LinkedIdentity>, IdentityError> {
                let rows: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT provider, linked_at FROM external_identities WHERE account_id = $1 \
                     ORDER BY linked_at, provider",
                )
                .bind(account.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(provider, linked_at)| LinkedIdentity { provider, linked_at }).collect())
            }
        }
    };
}

pub(crate) use identity_store_on;
