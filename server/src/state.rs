//! The one shared state type every handler receives (`web::Data<AppState>`).

use nectr_application::AuthService;

use std::sync::Arc;

use crate::cookies::CookiePolicy;
use crate::cross_site::TrustedOrigins;
use crate::rate_limit::LoginRateLimit;
use crate::service_credentials::ServiceCredentials;

pub struct AppState {
    pub auth: AuthService,
    /// `BACKEND_URL`, for links the answers give.
    pub backend_url: url::Url,
    pub service_credentials: ServiceCredentials,
    pub cookies: CookiePolicy,
    pub dashboard_url: String,
    pub origins: TrustedOrigins,
    pub login_limit: Arc<LoginRateLimit>,
}
