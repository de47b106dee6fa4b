//! Social sign-in's settings and providers: Google and Kakao over OpenID Connect, Naver over its
//! OAuth 2.0 and profile API, each on when its client id and secret are set.
//!
//! The browser is sent back only to a registered redirect URI (`JANGTEO_OAUTH_REDIRECT_URIS`,
//! exact matches, comma separated); unset, to this deployment's own callback of each provider,
//! `<JANGTEO_PUBLIC_URL>/v1/oauth/<provider>/callback`.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use jangteo_social_login::{
    IdentityProvider, ProviderName,
    naver::{self, NaverClient, NaverProvider},
    oidc::{self, OidcClient, OidcProvider},
};
use serde::Deserialize;

use crate::config::{Config, Secret};

/// One provider's client registration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderSettings {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    /// OpenID Connect: the issuer (Google's and Kakao's by default; a local provider in tests).
    pub issuer: Option<String>,
    /// Naver: where its OAuth endpoints and its profile API are (Naver's by default).
    pub auth_url: Option<String>,
    pub api_url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SocialLoginSettings {
    pub google: ProviderSettings,
    pub kakao: ProviderSettings,
    pub naver: ProviderSettings,
    /// The redirect URIs a sign-in may name; empty means each provider's callback here.
    pub redirect_uris: Vec<String>,
}

impl SocialLoginSettings {
    fn provider_mut(&mut self, provider: ProviderName) -> &mut ProviderSettings {
        match provider {
            ProviderName::Google => &mut self.google,
            ProviderName::Kakao => &mut self.kakao,
            ProviderName::Naver => &mut self.naver,
        }
    }

    fn provider(&self, provider: ProviderName) -> &ProviderSettings {
        match provider {
            ProviderName::Google => &self.google,
            ProviderName::Kakao => &self.kakao,
            ProviderName::Naver => &self.naver,
        }
    }

    /// `JANGTEO_<PROVIDER>_CLIENT_ID`, `_CLIENT_SECRET`, `_ISSUER` (Google, Kakao),
    /// `_AUTH_URL` and `_API_URL` (Naver), and `JANGTEO_OAUTH_REDIRECT_URIS`.
    pub fn apply_env(&mut self, var: &impl Fn(&str) -> Option<String>) {
        let text = |name: &str| var(name).filter(|value| !value.is_empty());
        for provider in ProviderName::ALL {
            let prefix = format!("JANGTEO_{}", provider.as_str().to_ascii_uppercase());
            let settings = self.provider_mut(provider);
            settings.client_id = text(&format!("{prefix}_CLIENT_ID")).or(settings.client_id.take());
            settings.client_secret =
                text(&format!("{prefix}_CLIENT_SECRET")).map(Secret::new).or(settings.client_secret.take());
            settings.issuer = text(&format!("{prefix}_ISSUER")).or(settings.issuer.take());
            settings.auth_url = text(&format!("{prefix}_AUTH_URL")).or(settings.auth_url.take());
            settings.api_url = text(&format!("{prefix}_API_URL")).or(settings.api_url.take());
        }
        if let Some(uris) = var("JANGTEO_OAUTH_REDIRECT_URIS") {
            self.redirect_uris =
                uris.split(',').map(str::trim).filter(|uri| !uri.is_empty()).map(str::to_owned).collect();
        }
    }

    /// The providers whose client id and secret are set; one of the two alone is refused.
    pub fn providers(&self) -> Result<Vec<Arc<dyn IdentityProvider>>> {
        let mut providers: Vec<Arc<dyn IdentityProvider>> = Vec::new();
        for name in ProviderName::ALL {
            let settings = self.provider(name);
            let (client_id, client_secret) = match (&settings.client_id, &settings.client_secret) {
                (Some(id), Some(secret)) => (id.clone(), secret.expose().to_owned()),
                (None, None) => continue,
                _ => bail!(
                    "set both JANGTEO_{0}_CLIENT_ID and JANGTEO_{0}_CLIENT_SECRET, or neither",
                    name.as_str().to_ascii_uppercase()
                ),
            };
            let provider: Arc<dyn IdentityProvider> = match name {
                ProviderName::Google | ProviderName::Kakao => {
                    let default_issuer =
                        if name == ProviderName::Google { oidc::GOOGLE_ISSUER } else { oidc::KAKAO_ISSUER };
                    let client = OidcClient {
                        issuer: settings.issuer.clone().unwrap_or_else(|| default_issuer.to_owned()),
                        client_id,
                        client_secret,
                        scopes: OidcClient::default_scopes(name).to_owned(),
                    };
                    Arc::new(
                        OidcProvider::new(name, client).with_context(|| format!("signing in with {name}"))?,
                    )
                }
                ProviderName::Naver => Arc::new(
                    NaverProvider::new(NaverClient {
                        client_id,
                        client_secret,
                        auth_base: settings.auth_url.clone().unwrap_or_else(|| naver::AUTH_BASE.to_owned()),
                        api_base: settings.api_url.clone().unwrap_or_else(|| naver::API_BASE.to_owned()),
                    })
                    .context("signing in with naver")?,
                ),
            };
            providers.push(provider);
        }
        Ok(providers)
    }

    /// The redirect URIs a sign-in may name.
    pub fn redirect_uris(&self, config: &Config) -> Vec<String> {
        if !self.redirect_uris.is_empty() {
            return self.redirect_uris.clone();
        }
        let base = config.public_url.trim_end_matches('/');
        ProviderName::ALL.iter().map(|provider| format!("{base}/v1/oauth/{provider}/callback")).collect()
    }
}
