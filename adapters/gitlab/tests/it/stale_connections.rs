//! A connection closed by the server just as a request goes out (idle keep-alive connections
//! are closed on the server's schedule) is retried once on a new one; nothing more.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use nectr_application::ports::{IdentityProvider, ProviderError};
use url::Url;

use crate::support::{TestResult, World};

/// A server that hangs up without answering on its first `drops` connections, then answers
/// a token; returns its URL and a count of the requests it read.
fn hanging_up_server(drops: usize) -> TestResult<(Url, Arc<AtomicUsize>)> {
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
            let body = r#"{"access_token":"after-retry","token_type":"Bearer","expires_in":7200,"refresh_token":"r-after-retry","scope":"read_user","created_at":1}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    Ok((Url::parse(&format!("http://{address}"))?, seen))
}

#[tokio::test]
async fn a_connection_closed_under_the_request_is_retried_once() -> TestResult {
    let world = World::start().await?;
    let (server, seen) = hanging_up_server(1)?;
    let provider = world.provider_with(|c| c.base_url = server.clone())?;

    let grant = provider.exchange_code("abc", None).await?;

    assert_eq!(grant.access_token.expose(), "after-retry");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    Ok(())
}

#[tokio::test]
async fn a_second_hang_up_is_an_error_not_another_retry() -> TestResult {
    let world = World::start().await?;
    let (server, seen) = hanging_up_server(usize::MAX)?;
    let provider = world.provider_with(|c| c.base_url = server.clone())?;

    let result = provider.exchange_code("abc", None).await;

    assert!(
        matches!(result, Err(ProviderError::Unreachable(_))),
        "{result:?}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    Ok(())
}
