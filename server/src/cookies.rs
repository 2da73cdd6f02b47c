//! The two cookies the service sets: the session cookie and the short-lived browser binding
//! of sign-in attempts.

use actix_web::cookie::{Cookie, SameSite, time::Duration};

/// The session cookie's name (SPEC: "The session cookie").
pub const SESSION_COOKIE: &str = "access_token";
/// Ties sign-in attempts to the browser that started them.
pub const BINDING_COOKIE: &str = "nectr_oauth_binding";

/// Cookie attributes, which differ between development (plain http on localhost) and
/// production (https, frontend on another site).
#[derive(Debug, Clone)]
pub struct CookiePolicy {
    pub production: bool,
    pub session_max_age_seconds: i64,
    /// Where the browser sees the sign-in routes: `/auth` below the path of `BACKEND_URL` (a
    /// proxy may serve the service under a prefix such as `/api`). Each provider's binding
    /// cookie lives at `{auth_path}/{provider}`, the only routes it needs to reach.
    pub auth_path: String,
}

impl CookiePolicy {
    /// The sign-in routes' common path for a service whose public URL has `backend_path`.
    pub fn auth_path_for(backend_path: &str) -> String {
        format!("{}/auth", backend_path.trim_end_matches('/'))
    }
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
    pub fn binding(&self, value: String, ttl_seconds: i64, provider: &str) -> Cookie<'static> {
        Cookie::build(BINDING_COOKIE, value)
            .path(format!("{}/{provider}", self.auth_path))
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

    fn policy(production: bool, backend_path: &str) -> CookiePolicy {
        CookiePolicy {
            production,
            session_max_age_seconds: 3600,
            auth_path: CookiePolicy::auth_path_for(backend_path),
        }
    }

    #[test]
    fn session_cookie_follows_the_spec_in_both_modes() {
        let dev = policy(false, "/").session("jwt".into()).to_string();
        assert_eq!(
            dev,
            "access_token=jwt; HttpOnly; SameSite=Lax; Path=/; Max-Age=3600"
        );
        let prod = policy(true, "/").session("jwt".into()).to_string();
        assert_eq!(
            prod,
            "access_token=jwt; HttpOnly; SameSite=None; Secure; Path=/; Max-Age=3600"
        );
    }

    #[test]
    fn clearing_keeps_the_attributes_so_the_browser_replaces_the_cookie() {
        let cleared = policy(true, "/").clear_session().to_string();
        assert_eq!(
            cleared,
            "access_token=; HttpOnly; SameSite=None; Secure; Path=/; Max-Age=0"
        );
    }

    #[test]
    fn binding_cookie_follows_a_path_prefix_of_the_backend_url() {
        let binding = policy(false, "/api")
            .binding("b".into(), 600, "github")
            .to_string();
        assert!(binding.contains("Path=/api/auth/github;"), "{binding}");
    }

    #[test]
    fn each_provider_has_its_own_binding_cookie() {
        let binding = policy(false, "/")
            .binding("b".into(), 600, "gitlab")
            .to_string();
        assert!(binding.contains("Path=/auth/gitlab;"), "{binding}");
    }

    #[test]
    fn binding_cookie_is_lax_and_scoped_to_the_sign_in_routes() {
        let binding = policy(true, "/")
            .binding("b".into(), 600, "github")
            .to_string();
        assert_eq!(
            binding,
            "nectr_oauth_binding=b; HttpOnly; SameSite=Lax; Secure; Path=/auth/github; Max-Age=600"
        );
    }
}
