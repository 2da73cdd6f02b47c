//! The one shared state type every handler receives (`web::Data<AppState>`).

use nectr_application::AuthService;

use crate::cookies::CookiePolicy;
use crate::cross_site::TrustedOrigins;

pub struct AppState {
    pub auth: AuthService,
    pub cookies: CookiePolicy,
    pub dashboard_url: String,
    pub origins: TrustedOrigins,
}
