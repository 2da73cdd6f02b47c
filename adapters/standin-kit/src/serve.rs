//! Serving a stand-in on its own loopback port, and binding its handlers to its state.

use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::web::{self, Bytes, ServiceConfig};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer};

/// Binds `127.0.0.1:0`; answers the listener and its base URL, e.g. `http://127.0.0.1:41234`.
/// Port 0 lets parallel tests each get their own stand-in.
pub fn bind_loopback() -> std::io::Result<(TcpListener, String)> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let address = listener.local_addr()?;
    Ok((listener, format!("http://{address}")))
}

/// Serves `routes` on `listener`, with `unknown` for every other path, on one worker of the
/// current tokio runtime, which must stay alive while the stand-in is used; the server stops
/// when that runtime shuts down. No signal handling and no grace period: a test's runtime
/// ending is the only way it stops.
pub fn serve<R, U, Fut>(listener: TcpListener, routes: R, unknown: U) -> std::io::Result<()>
where
    R: FnOnce(&mut ServiceConfig) + Clone + Send + 'static,
    U: Fn(HttpRequest, Bytes) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = HttpResponse> + 'static,
{
    let server = HttpServer::new(move || {
        App::new()
            .configure(routes.clone())
            .default_service(web::to(unknown.clone()))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(0)
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(())
}

/// Binds a handler to the shared state without `app_data`, so two stand-ins can be mounted in
/// one `App` without seeing each other's state.
pub fn handler<S, F, Fut>(
    shared: &Arc<S>,
    handle: F,
) -> impl Fn(HttpRequest, Bytes) -> Fut + Clone + 'static
where
    S: ?Sized + 'static,
    F: Fn(Arc<S>, HttpRequest, Bytes) -> Fut + Clone + 'static,
    Fut: Future<Output = HttpResponse> + 'static,
{
    let shared = shared.clone();
    move |req, body| handle(shared.clone(), req, body)
}
