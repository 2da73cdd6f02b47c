//! The two cookies the service sets: the session cookie and the short-lived browser binding
//! of sign-in attempts.

use actix_web::cookie::{Cookie, SameSite, time::Duration};

/// The session cookie's name (SPEC: "The session cookie").
pub const SESSION_COOKIE: &str = "access_token";
/// Ties sign-in attempts to the browser that started them.
pub const BINDING_COOKIE: &str = "nectr_oauth_binding";
/// The binding cookie only needs to reach the sign-in routes.
const BINDING_PATH: &str = "/auth/github";

/// Cookie attributes, which differ between development (plain http on localhost) and
/// production (https, frontend on another site).
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    pub production: bool,
    pub session_max_age_seconds: i64,
}

impl CookiePolicy {
    pub fn session(&self, token: String) -> Cookie<'static> {
        self.session_base(token)
            .max_age(Duration::seconds(self.session_max_age_seconds))
            .finish()
    }

    /// Same name, path and attributes as the session cookie, so the browser replaces it.
    pub fn clear_session(&self) -> Cookie<'static> {
        self.session_base(String::new())
            .max_age(Duration::ZERO)
            .finish()
    }

    /// The binding cookie is always `SameSite=Lax`: the provider's redirect back to the
    /// callback is a top-level GET navigation, which Lax cookies accompany, while requests a
    /// foreign page makes in the background do not carry it.
    pub fn binding(&self, value: String, ttl_seconds: i64) -> Cookie<'static> {
        Cookie::build(BINDING_COOKIE, value)
            .path(BINDING_PATH)
            .http_only(true)
            .secure(self.production)
            .same_site(SameSite::Lax)
            .max_age(Duration::seconds(ttl_seconds))
            .finish()
    }

    fn session_base(&self, value: String) -> actix_web::cookie::CookieBuilder<'static> {
        // SameSite=None in production because the frontend calls us from another site with
        // credentials; browsers accept None only together with Secure.
        let same_site = if self.production {
            SameSite::None
        } else {
            SameSite::Lax
        };
        Cookie::build(SESSION_COOKIE, value)
            .path("/")
            .http_only(true)
            .secure(self.production)
            .same_site(same_site)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEVELOPMENT: CookiePolicy = CookiePolicy {
        production: false,
        session_max_age_seconds: 3600,
    };
    const PRODUCTION: CookiePolicy = CookiePolicy {
        production: true,
        session_max_age_seconds: 3600,
    };

    #[test]
    fn session_cookie_follows_the_spec_in_both_modes() {
        let dev = DEVELOPMENT.session("jwt".into()).to_string();
        assert_eq!(
            dev,
            "access_token=jwt; HttpOnly; SameSite=Lax; Path=/; Max-Age=3600"
        );
        let prod = PRODUCTION.session("jwt".into()).to_string();
        assert_eq!(
            prod,
            "access_token=jwt; HttpOnly; SameSite=None; Secure; Path=/; Max-Age=3600"
        );
    }

    #[test]
    fn clearing_keeps_the_attributes_so_the_browser_replaces_the_cookie() {
        let cleared = PRODUCTION.clear_session().to_string();
        assert_eq!(
            cleared,
            "access_token=; HttpOnly; SameSite=None; Secure; Path=/; Max-Age=0"
        );
    }

    #[test]
    fn binding_cookie_is_lax_and_scoped_to_the_sign_in_routes() {
        let binding = PRODUCTION.binding("b".into(), 600).to_string();
        assert_eq!(
            binding,
            "nectr_oauth_binding=b; HttpOnly; SameSite=Lax; Secure; Path=/auth/github; Max-Age=600"
        );
    }
}
