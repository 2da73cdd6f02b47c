//! A per-client-address limit on starting sign-ins.
//!
//! Every sign-in start writes a row (its state), so an unlimited stream of them from one
//! address would grow the table and load the database. Addresses are IPv4 addresses or IPv6
//! /64 networks (one IPv6 customer usually holds a whole /64). Behind a proxy the peer is the
//! proxy; `TRUST_X_FORWARDED_FOR=true` makes the last `X-Forwarded-For` entry (the one the
//! proxy appended) the client instead. The limit is per instance.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::api_error::ApiError;

pub struct LoginRateLimit {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    trust_forwarded_for: bool,
}

impl LoginRateLimit {
    /// `per_minute` starts per address, all of which may come at once; 0 turns the limit off.
    pub fn new(per_minute: u32, trust_forwarded_for: bool) -> Self {
        let limiter = NonZeroU32::new(per_minute)
            .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n).allow_burst(n)));
        Self {
            limiter,
            trust_forwarded_for,
        }
    }

    /// `Ok`, or 429 with how long to wait.
    pub fn check(&self, request: &HttpRequest) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let Some(address) = self.client_address(request) else {
            return Ok(());
        };
        limiter.check_key(&address).map_err(|not_until| {
            let wait = not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1);
            tracing::info!(client.address = %address, wait, "sign-in start rate-limited");
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many sign-in attempts from your network: wait {wait} seconds and try again."),
            )
            .retry_after(wait)
        })
    }

    /// Forgets addresses that have not been seen for a while, so memory stays bounded.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    fn client_address(&self, request: &HttpRequest) -> Option<IpAddr> {
        let forwarded = self
            .trust_forwarded_for
            .then(|| request.headers().get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|list| list.rsplit(',').next())
            .and_then(|last| last.trim().parse::<IpAddr>().ok());
        forwarded
            .or_else(|| request.peer_addr().map(|a| a.ip()))
            .map(network)
    }
}

/// IPv4 addresses as they are; IPv6 addresses as their /64 network.
fn network(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn from(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut request = TestRequest::default().peer_addr(peer.parse().expect("address"));
        if let Some(list) = forwarded {
            request = request.insert_header(("x-forwarded-for", list));
        }
        request.to_http_request()
    }

    #[test]
    fn allows_the_burst_then_refuses_with_a_wait() {
        let limit = LoginRateLimit::new(3, false);
        for _ in 0..3 {
            assert!(limit.check(&from("192.0.2.1:5000", None)).is_ok());
        }
        let refused = limit.check(&from("192.0.2.1:5001", None));
        assert!(refused.is_err());
        assert!(
            limit.check(&from("192.0.2.2:5000", None)).is_ok(),
            "other addresses are not affected"
        );
    }

    #[test]
    fn ipv6_addresses_share_their_slash_64() {
        let limit = LoginRateLimit::new(1, false);
        assert!(limit.check(&from("[2001:db8:1:2::1]:5000", None)).is_ok());
        assert!(
            limit
                .check(&from("[2001:db8:1:2::ffff]:5000", None))
                .is_err()
        );
        assert!(limit.check(&from("[2001:db8:1:3::1]:5000", None)).is_ok());
    }

    #[test]
    fn forwarded_for_counts_only_when_trusted() {
        let untrusted = LoginRateLimit::new(1, false);
        assert!(
            untrusted
                .check(&from("10.0.0.9:1", Some("198.51.100.1")))
                .is_ok()
        );
        assert!(
            untrusted
                .check(&from("10.0.0.9:1", Some("198.51.100.2")))
                .is_err(),
            "keyed by the proxy"
        );
        let trusted = LoginRateLimit::new(1, true);
        assert!(
            trusted
                .check(&from("10.0.0.9:1", Some("203.0.113.7, 198.51.100.1")))
                .is_ok()
        );
        assert!(
            trusted
                .check(&from("10.0.0.9:1", Some("198.51.100.2")))
                .is_ok(),
            "keyed by the client"
        );
        assert!(
            trusted
                .check(&from("10.0.0.9:1", Some("6.6.6.6, 198.51.100.2")))
                .is_err(),
            "a spoofed first entry does not help"
        );
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limit = LoginRateLimit::new(0, false);
        for _ in 0..100 {
            assert!(limit.check(&from("192.0.2.1:5000", None)).is_ok());
        }
    }
}
