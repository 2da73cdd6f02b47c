//! What the cases and the harnesses share: fresh OAuth values, the default browser, and an
//! address where nothing listens.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nectr_domain::{PkceVerifier, StateToken};
use reqwest::header::LOCATION;
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::BoxError;

/// A number never given out twice in this process, also different from one run to the next.
fn unique() -> u128 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    nanos * 1_000_000 + u128::from(NEXT.fetch_add(1, Ordering::Relaxed) % 1_000_000)
}

/// A well-formed `state` (43 base64url characters) that no other call answers.
///
/// # Errors
/// Never in practice: the value is built to the domain's rule.
pub fn fresh_state() -> Result<StateToken, BoxError> {
    Ok(StateToken::parse(&format!("contract{:0>35}", unique()))?)
}

/// A well-formed PKCE verifier (RFC 7636) that no other call answers.
///
/// # Errors
/// Never in practice: the value is built to RFC 7636's rule.
pub fn fresh_verifier() -> Result<PkceVerifier, BoxError> {
    Ok(PkceVerifier::parse(&format!(
        "contract-verifier-{:0>40}",
        unique()
    ))?)
}

/// RFC 7636 S256: the unpadded base64url SHA-256 of the verifier.
pub(crate) fn s256(verifier: &PkceVerifier) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

/// The browser without a consent step: GETs `authorization_url` without following redirects
/// and answers where the 3xx answer's `Location` points (resolved against the URL).
///
/// # Errors
/// When the request fails, or the answer is not a redirect with a usable `Location`.
pub async fn follow_authorization(authorization_url: &str) -> Result<Url, BoxError> {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = browser.get(authorization_url).send().await?;
    let status = response.status();
    if !status.is_redirection() {
        return Err(format!(
            "the authorization URL answered HTTP {status} where a redirect back to the app was \
             expected (does the stand-in need a consent step? override ProviderHarness::approve)"
        )
        .into());
    }
    let location = response
        .headers()
        .get(LOCATION)
        .ok_or_else(|| format!("the authorization URL answered HTTP {status} without a Location"))?
        .to_str()?;
    Ok(Url::parse(authorization_url)?.join(location)?)
}

/// The first value of a query parameter.
pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// `http://127.0.0.1:PORT` where nothing listens: the port is bound, then closed.
///
/// # Errors
/// When no port can be bound on 127.0.0.1.
pub fn unreachable_base_url() -> Result<Url, BoxError> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let address = listener.local_addr()?;
    drop(listener);
    Ok(Url::parse(&format!("http://{address}"))?)
}

/// Whether two URLs name the same endpoint: scheme, host, port and path, queries aside.
pub(crate) fn same_endpoint(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
}

/// A server that reads each request and hangs up without a word on its first `drops`
/// connections, then answers every later one with `200` and the JSON `body`, as a provider
/// whose idle keep-alive connection closed just as a request went out. Answers its URL and
/// the number of requests it has read.
///
/// # Errors
/// When no loopback port can be bound.
pub fn hanging_up_server(
    drops: usize,
    body: &'static str,
) -> std::io::Result<(Url, std::sync::Arc<std::sync::atomic::AtomicUsize>)> {
    use std::io::{Read as _, Write as _};
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let address = listener.local_addr()?;
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = [0_u8; 16 * 1024];
            let _ = stream.read(&mut request);
            if counter.fetch_add(1, Ordering::SeqCst) < drops {
                drop(stream);
                continue;
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let url = Url::parse(&format!("http://{address}")).map_err(std::io::Error::other)?;
    Ok((url, seen))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_values_are_well_formed_and_distinct() -> Result<(), BoxError> {
        let (a, b) = (fresh_state()?, fresh_state()?);
        assert_ne!(a.as_str(), b.as_str());
        let (v, w) = (fresh_verifier()?, fresh_verifier()?);
        assert_ne!(v.expose(), w.expose());
        Ok(())
    }

    #[test]
    fn s256_matches_rfc_7636_appendix_b() -> Result<(), BoxError> {
        let verifier = PkceVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
        assert_eq!(
            s256(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        Ok(())
    }

    #[test]
    fn endpoints_compare_without_queries() -> Result<(), BoxError> {
        let callback = Url::parse("http://127.0.0.1:8000/auth/x/callback")?;
        assert!(same_endpoint(
            &callback,
            &Url::parse("http://127.0.0.1:8000/auth/x/callback?code=1")?
        ));
        assert!(!same_endpoint(
            &callback,
            &Url::parse("http://127.0.0.1:8001/auth/x/callback")?
        ));
        assert!(!same_endpoint(
            &callback,
            &Url::parse("http://127.0.0.1:8000/auth/y/callback")?
        ));
        Ok(())
    }

    #[test]
    fn nothing_listens_at_the_unreachable_address() -> Result<(), BoxError> {
        let url = unreachable_base_url()?;
        let port = url.port().ok_or("no port")?;
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
        Ok(())
    }
}
