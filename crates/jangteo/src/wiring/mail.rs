//! Members' mail and text messages: SMTP when `JANGTEO_SMTP_URL` names a server, else the
//! outbox, one `.eml` file per mail under `<data_dir>/outbox/`; NAVER Cloud SENS when
//! `JANGTEO_SENS_SERVICE_ID` is set, else the simulated sender, one file per message under
//! `<data_dir>/outbox/sms/`.

use std::sync::Arc;

use anyhow::{Context, Result};
use jangteo_mail::{Mailer, outbox::OutboxMailer, smtp::SmtpMailer};
use jangteo_verification::{
    SmsSender,
    sens::{self, SensAccount, SensSmsSender},
    sms::SimulatedSmsSender,
};

use crate::config::Config;

pub(crate) fn mailer(config: &Config) -> Result<Arc<dyn Mailer>> {
    let mailer: Arc<dyn Mailer> = if let Some(url) = &config.smtp_url {
        Arc::new(
            SmtpMailer::new(url.expose(), &config.mail_from)
                .context("setting up SMTP (JANGTEO_SMTP_URL, JANGTEO_MAIL_FROM)")?,
        )
    } else {
        let dir = config.data_dir.join("outbox");
        Arc::new(
            OutboxMailer::open(&dir, &config.mail_from)
                .with_context(|| format!("opening the mail outbox {}", dir.display()))?,
        )
    };
    tracing::info!(mailer = %mailer.describe(), "members' mail");
    Ok(mailer)
}

pub(crate) fn sms_sender(config: &Config) -> Result<Arc<dyn SmsSender>> {
    let sender: Arc<dyn SmsSender> = if let Some(service_id) = &config.sens_service_id {
        let (Some(access_key), Some(secret_key), Some(from)) =
            (&config.sens_access_key, &config.sens_secret_key, &config.sens_from)
        else {
            anyhow::bail!(
                "JANGTEO_SENS_SERVICE_ID needs JANGTEO_SENS_ACCESS_KEY, JANGTEO_SENS_SECRET_KEY and JANGTEO_SENS_FROM"
            );
        };
        let account = SensAccount {
            service_id: service_id.clone(),
            access_key: access_key.clone(),
            secret_key: secret_key.expose().to_owned(),
            from: from.chars().filter(char::is_ascii_digit).collect(),
        };
        let base = config.sens_api_base.as_deref().unwrap_or(sens::API_BASE);
        Arc::new(SensSmsSender::new(base, account).context("setting up NAVER Cloud SENS")?)
    } else {
        let dir = config.data_dir.join("outbox").join("sms");
        Arc::new(
            SimulatedSmsSender::open(&dir)
                .with_context(|| format!("opening the simulated SMS outbox {}", dir.display()))?,
        )
    };
    tracing::info!(sms = %sender.describe(), "text messages");
    Ok(sender)
}
