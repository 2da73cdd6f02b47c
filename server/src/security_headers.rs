//! Headers every answer carries: nothing here may be cached, sniffed, framed, run as a page,
//! or leak the URL (which can hold a code and state) through `Referer`; in production,
//! browsers must only ever reach us over https.

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};

static ALWAYS: [(HeaderName, HeaderValue); 5] = [
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ),
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    ),
];

static HSTS: (HeaderName, HeaderValue) = (
    header::STRICT_TRANSPORT_SECURITY,
    HeaderValue::from_static("max-age=31536000"),
);

#[derive(Debug, Clone, Copy)]
pub struct SecurityHeaders {
    /// Adds HSTS.
    pub production: bool,
}

impl SecurityHeaders {
    /// Adds each header the answer does not set itself (the development stand-in's pages set
    /// their own policy, and keep it).
    pub fn apply(self, headers: &mut HeaderMap) {
        let hsts = self.production.then_some(&HSTS);
        for (name, value) in ALWAYS.iter().chain(hsts) {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
    }
}
