//! `bench-ceiling`: the least an actix-web server can do to answer like nectr-auth.
//!
//! `GET /me` answers 200 `application/json` and `GET /github` answers 302 with `Location`
//! and `Set-Cookie`, with sizes given on the command line, so that each answer has exactly
//! the byte count of the service's answer it stands for. No middleware, no logging, the same
//! worker count as the service: what it sustains is the most this machine allows for
//! answers of that size, the ceiling the benchmark compares the service against.

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpResponse, HttpServer};
use clap::Parser;

/// Prefix of the `Set-Cookie` value, as the service's binding cookie has.
const COOKIE_PREFIX: &str = "nectr_oauth_binding=";
/// Prefix of the `Location` value; the rest is padding.
const LOCATION_PREFIX: &str = "http://127.0.0.1/login/oauth/authorize?p=";

#[derive(Parser, Debug)]
#[command(
    name = "bench-ceiling",
    about = "A bare actix-web server answering like nectr-auth, for the benchmark's ceiling."
)]
struct Options {
    /// Port to listen on at 127.0.0.1.
    #[arg(long)]
    port: u16,
    /// Body size of `GET /me` (a JSON object padded to this many bytes).
    #[arg(long)]
    me_body_bytes: usize,
    /// Length of the `Location` value of `GET /github`.
    #[arg(long)]
    github_location_bytes: usize,
    /// Length of the `Set-Cookie` value of `GET /github`.
    #[arg(long)]
    github_cookie_bytes: usize,
}

/// The fixed answers, built once and shared by every worker.
#[derive(Clone)]
struct Answers {
    me_body: Bytes,
    location: HeaderValue,
    cookie: HeaderValue,
}

fn main() -> std::process::ExitCode {
    let options = Options::parse();
    let answers = match answers(&options) {
        Ok(answers) => answers,
        Err(problem) => {
            eprintln!("bench-ceiling: {problem}");
            return std::process::ExitCode::from(2);
        }
    };
    match serve(options.port, answers) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!(
                "bench-ceiling: cannot serve on 127.0.0.1:{}: {problem}",
                options.port
            );
            std::process::ExitCode::FAILURE
        }
    }
}

fn serve(port: u16, answers: Answers) -> std::io::Result<()> {
    // The service runs one worker per core; so does its ceiling.
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(answers.clone()))
                .route("/me", web::get().to(me))
                .route("/github", web::get().to(github))
        })
        .workers(workers)
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })
}

async fn me(answers: web::Data<Answers>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(answers.me_body.clone())
}

async fn github(answers: web::Data<Answers>) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, answers.location.clone()))
        .insert_header((header::SET_COOKIE, answers.cookie.clone()))
        .finish()
}

fn answers(options: &Options) -> Result<Answers, String> {
    Ok(Answers {
        me_body: Bytes::from(json_body(options.me_body_bytes)),
        location: padded_header(LOCATION_PREFIX, options.github_location_bytes, "location")?,
        cookie: padded_header(COOKIE_PREFIX, options.github_cookie_bytes, "cookie")?,
    })
}

/// `{"pad":"xxx…"}` of exactly `size` bytes, or plain padding when that is too small for
/// the object.
fn json_body(size: usize) -> Vec<u8> {
    let frame = r#"{"pad":""}"#;
    if size < frame.len() {
        return vec![b' '; size];
    }
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(br#"{"pad":""#);
    body.resize(size - 2, b'x');
    body.extend_from_slice(br#""}"#);
    body
}

/// `prefix` followed by padding, `size` bytes in all.
fn padded_header(prefix: &str, size: usize, what: &str) -> Result<HeaderValue, String> {
    if size < prefix.len() + 1 {
        return Err(format!(
            "--github-{what}-bytes must be at least {}",
            prefix.len() + 1
        ));
    }
    let mut value = String::with_capacity(size);
    value.push_str(prefix);
    value.extend(std::iter::repeat_n('x', size - prefix.len()));
    HeaderValue::from_str(&value).map_err(|e| format!("{what} header: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_and_headers_have_the_asked_sizes() {
        for size in [0, 5, 10, 11, 300] {
            assert_eq!(json_body(size).len(), size);
        }
        let body = json_body(20);
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
        assert_eq!(
            padded_header(COOKIE_PREFIX, 80, "cookie")
                .expect("large enough")
                .len(),
            80
        );
        assert!(padded_header(COOKIE_PREFIX, 3, "cookie").is_err());
    }
}
