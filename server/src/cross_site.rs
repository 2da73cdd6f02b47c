//! Refuses state-changing requests that another site made the browser send.
//!
//! `GET /auth/github/reconnect` deletes the person's grant at GitHub and `POST /auth/logout`
//! ends their session; with `SameSite=None` session cookies (production), any page could
//! make a browser send either. Browsers tell us where a request comes from: `Origin` (on
//! POST), `Sec-Fetch-Site` (on everything, in current browsers) and `Referer`. A request is
//! let through when those say it comes from this service or from `FRONTEND_URL`, which may
//! be on another site, or when none of them is present (not a browser, so no ambient
//! cookies to abuse).

use actix_web::HttpRequest;
use actix_web::http::StatusCode;

use crate::api_error::ApiError;

/// The origins requests may come from.
#[derive(Debug, Clone)]
pub struct TrustedOrigins {
    pub frontend: String,
    pub backend: String,
}

impl TrustedOrigins {
    fn trusts(&self, origin: &str) -> bool {
        origin == self.frontend || origin == self.backend
    }

    /// Whether the request may change state on the person's behalf.
    pub fn allows(&self, request: &HttpRequest) -> bool {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let referer_origin = header("referer")
            .and_then(|r| url::Url::parse(r).ok())
            .map(|u| u.origin().ascii_serialization());
        if let Some(origin) = header("origin") {
            // Browsers send the literal `null` for opaque origins (sandboxed frames, some
            // redirects): never ours.
            return self.trusts(origin);
        }
        match header("sec-fetch-site") {
            Some("same-origin" | "same-site" | "none") => true,
            Some(_) => referer_origin.is_some_and(|o| self.trusts(&o)),
            None => referer_origin.is_none_or(|o| self.trusts(&o)),
        }
    }

    /// `Ok` when allowed, else a 403 saying what was refused and where to go instead.
    pub fn check(&self, request: &HttpRequest, action: &str) -> Result<(), ApiError> {
        if self.allows(request) {
            return Ok(());
        }
        tracing::info!(action, "cross-site request refused");
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "{action} was requested by another website, so it was refused and nothing changed. Use the Nectr app at {} instead.",
                self.frontend
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn origins() -> TrustedOrigins {
        TrustedOrigins {
            frontend: "https://app.example.com".into(),
            backend: "https://auth.example.net".into(),
        }
    }

    fn allowed(headers: &[(&str, &str)]) -> bool {
        let mut request = TestRequest::default();
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        origins().allows(&request.to_http_request())
    }

    #[test]
    fn the_frontend_on_another_site_gets_through() {
        assert!(allowed(&[("origin", "https://app.example.com")]));
        assert!(allowed(&[
            ("sec-fetch-site", "cross-site"),
            ("referer", "https://app.example.com/dashboard")
        ]));
    }

    #[test]
    fn other_sites_do_not() {
        assert!(!allowed(&[("origin", "https://evil.example")]));
        assert!(!allowed(&[("origin", "null")]));
        assert!(!allowed(&[("sec-fetch-site", "cross-site")]));
        assert!(!allowed(&[
            ("sec-fetch-site", "cross-site"),
            ("referer", "https://evil.example/page")
        ]));
        assert!(!allowed(&[("referer", "https://evil.example/page")]));
        assert!(!allowed(&[
            ("sec-fetch-site", "cross-site"),
            ("referer", "https://app.example.com.evil.example/")
        ]));
    }

    #[test]
    fn same_site_typed_urls_and_non_browsers_get_through() {
        assert!(allowed(&[("sec-fetch-site", "same-origin")]));
        assert!(allowed(&[("sec-fetch-site", "same-site")]));
        assert!(allowed(&[("sec-fetch-site", "none")]));
        assert!(allowed(&[]));
        assert!(allowed(&[("referer", "https://auth.example.net/x")]));
    }
}
