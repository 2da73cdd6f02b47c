//! The OAuth web flow: the authorization URL, the exchange of a code for tokens, and the
//! refresh of expiring tokens.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};

use nectr_application::ports::{AuthorizationRequest, ProviderError, TokenGrant};
use nectr_domain::{AccessToken, PkceVerifier, RefreshToken, Scopes};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AsyncHttpClient, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, ExtraTokenFields, HttpRequest, HttpResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use secrecy::ExposeSecret;

use crate::config::{Endpoints, GithubConfig, GithubSetupError};
use crate::errors::{self, Call};
use crate::transport::{self, Answer, TransportError};
use crate::{Inner, SCOPES};

/// What GitHub adds to RFC 6749's token answer for apps with expiring tokens.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub(crate) struct GithubTokenFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token_expires_in: Option<u64>,
}

impl ExtraTokenFields for GithubTokenFields {}

type GithubTokenResponse = StandardTokenResponse<GithubTokenFields, BasicTokenType>;

/// An oauth2 client with the authorization and token endpoints set.
pub(crate) type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    GithubTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

const EXCHANGE: &str = "the sign-in code exchange";
const REFRESH: &str = "the token refresh";

pub(crate) fn client(
    config: &GithubConfig,
    endpoints: &Endpoints,
) -> Result<OAuthClient, GithubSetupError> {
    // `RedirectUrl` keeps the string as given, so authorize and exchange send the same bytes.
    let redirect = RedirectUrl::new(config.redirect_url.clone()).map_err(|e| {
        GithubSetupError::BadRedirectUrl {
            url: config.redirect_url.clone(),
            problem: e.to_string(),
        }
    })?;
    Ok(oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            config.client_secret.expose_secret().to_owned(),
        ))
        // GitHub documents the client credentials as form parameters (HTTP Basic is the
        // oauth2 crate's default and merely tolerated there).
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(AuthUrl::from_url(endpoints.authorize.clone()))
        .set_token_uri(TokenUrl::from_url(endpoints.access_token.clone()))
        .set_redirect_uri(redirect))
}

pub(crate) fn authorization_url(inner: &Inner, request: &AuthorizationRequest<'_>) -> String {
    let state = request.state.as_str().to_owned();
    let mut authorize = inner
        .oauth
        .authorize_url(|| CsrfToken::new(state))
        .add_scopes(SCOPES.iter().map(|s| Scope::new((*s).to_owned())));
    // With PKCE turned off (an Enterprise Server that does not support it) nothing of it is
    // sent, whatever the caller passes.
    if let Some(verifier) = request.pkce_verifier.filter(|_| inner.config.pkce) {
        // `PkceVerifier` guarantees RFC 7636's 43 to 128 characters, which this call asserts.
        let verifier = PkceCodeVerifier::new(verifier.expose().to_owned());
        authorize =
            authorize.set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(&verifier));
    }
    let (url, _state) = authorize.url();
    url.into()
}

pub(crate) async fn exchange_code(
    inner: &Inner,
    code: &str,
    pkce_verifier: Option<&PkceVerifier>,
) -> Result<TokenGrant, ProviderError> {
    let call = token_call(inner, EXCHANGE);
    let http_client = ExchangeClient::new(&inner.http);
    let mut exchange = inner
        .oauth
        .exchange_code(AuthorizationCode::new(code.to_owned()));
    // A verifier is sent whenever the sign-in attempt has one: it was created while PKCE was
    // on, so GitHub holds its challenge and will insist on it.
    if let Some(verifier) = pkce_verifier {
        exchange = exchange.set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_owned()));
    }
    let result = exchange.request_async(&http_client).await;
    let seen = http_client.seen();
    match result {
        Ok(answer) => {
            tracing::debug!("GitHub issued an access token");
            grant(&answer, call)
        }
        Err(error) => Err(token_endpoint_error(error, seen, call, &inner.endpoints)),
    }
}

/// `grant_type=refresh_token` at the same endpoint, with the client credentials. GitHub
/// rotates both tokens, so the refresh token passed in is dead afterwards whatever happens
/// next.
pub(crate) async fn refresh(
    inner: &Inner,
    refresh_token: &RefreshToken,
) -> Result<TokenGrant, ProviderError> {
    let call = token_call(inner, REFRESH);
    let http_client = ExchangeClient::new(&inner.http);
    let presented = oauth2::RefreshToken::new(refresh_token.expose().to_owned());
    let result = inner
        .oauth
        .exchange_refresh_token(&presented)
        .request_async(&http_client)
        .await;
    let seen = http_client.seen();
    match result {
        Ok(answer) => {
            tracing::debug!("GitHub refreshed an access token");
            grant(&answer, call)
        }
        Err(error) => Err(token_endpoint_error(error, seen, call, &inner.endpoints)),
    }
}

fn token_call<'a>(inner: &'a Inner, what: &'static str) -> Call<'a> {
    Call {
        what,
        base: &inner.config.web_url,
        config: &inner.config,
    }
}

/// A token answer as the port's `TokenGrant`.
fn grant(answer: &GithubTokenResponse, call: Call<'_>) -> Result<TokenGrant, ProviderError> {
    if !answer.token_type().as_ref().eq_ignore_ascii_case("bearer") {
        return Err(ProviderError::BadResponse(format!(
            "GitHub answered {} with a token of an unknown type ({:?}) instead of a bearer token",
            call.what,
            answer
                .token_type()
                .as_ref()
                .chars()
                .take(32)
                .collect::<String>()
        )));
    }
    let not_plain = |which: &str| {
        ProviderError::BadResponse(format!(
            "GitHub answered {} with {which} that is not a plain printable string",
            call.what
        ))
    };
    let access_token = AccessToken::new(answer.access_token().secret().clone())
        .map_err(|_| not_plain("an access token"))?;
    let refresh_token = answer
        .refresh_token()
        .map(|t| RefreshToken::new(t.secret().clone()))
        .transpose()
        .map_err(|_| not_plain("a refresh token"))?;
    Ok(TokenGrant {
        access_token,
        expires_in: answer.expires_in().map(|d| d.as_secs()),
        refresh_token,
        refresh_token_expires_in: answer.extra_fields().refresh_token_expires_in,
        scopes: granted_scopes(answer.scopes().map(Vec::as_slice)),
    })
}

/// The `scope` of a token answer. The oauth2 crate splits it on spaces, GitHub separates with
/// commas, so the pieces are joined again and read with both separators. A list that cannot
/// be read is treated as not said, rather than failing a sign-in over it.
fn granted_scopes(scopes: Option<&[Scope]>) -> Option<Scopes> {
    let text = scopes?
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    match Scopes::parse(&text) {
        Ok(scopes) => Some(scopes),
        Err(_) => {
            tracing::warn!("GitHub's token answer has a scope list that cannot be read; ignored");
            None
        }
    }
}

/// The shared reqwest client as the oauth2 crate's HTTP client, reading bounded bodies. The
/// oauth2 crate forgets the status and headers of answers it cannot parse; they are kept here
/// so the message can name the status or the rate limit. (A named type rather than a closure,
/// whose future would not be `Send` for every lifetime, as `async_trait` needs.)
struct ExchangeClient<'a> {
    http: &'a reqwest::Client,
    seen: Mutex<Option<(StatusCode, HeaderMap)>>,
}

impl<'a> ExchangeClient<'a> {
    fn new(http: &'a reqwest::Client) -> Self {
        Self {
            http,
            seen: Mutex::new(None),
        }
    }

    /// The status and headers of the last answer, if one came.
    fn seen(self) -> Option<(StatusCode, HeaderMap)> {
        self.seen
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<'c> AsyncHttpClient<'c> for ExchangeClient<'_> {
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request = reqwest::Request::try_from(request)
                .map_err(|e| TransportError::Build(transport::chain(&e.without_url())))?;
            let answer = transport::send(self.http, request).await?;
            *self.seen.lock().unwrap_or_else(PoisonError::into_inner) =
                Some((answer.status, answer.headers.clone()));
            let mut response = HttpResponse::new(answer.body);
            *response.status_mut() = answer.status;
            *response.headers_mut() = answer.headers;
            Ok(response)
        })
    }
}

/// GitHub's error answer at the token endpoint.
#[derive(serde::Deserialize)]
struct GithubOAuthError {
    error: String,
}

fn token_endpoint_error(
    error: RequestTokenError<TransportError, BasicErrorResponse>,
    seen: Option<(StatusCode, HeaderMap)>,
    call: Call<'_>,
    endpoints: &Endpoints,
) -> ProviderError {
    let body = match error {
        RequestTokenError::Request(e) => return errors::transport(&e, call),
        // A non-200 answer with an RFC 6749 error body (GitHub uses 200; others may not).
        RequestTokenError::ServerResponse(e) => {
            return errors::token_error(e.error().as_ref(), call, endpoints);
        }
        // GitHub answers its errors with HTTP 200, which the oauth2 crate tries (and fails)
        // to read as a token: the body is read here for the `error` code. The body is never
        // shown, nor the parser's complaint, which could quote it.
        RequestTokenError::Parse(_, body) => {
            if let Ok(e) = serde_json::from_slice::<GithubOAuthError>(&body) {
                return errors::token_error(&e.error, call, endpoints);
            }
            body
        }
        // Not JSON at all (a `Content-Type` other than JSON, an empty body).
        RequestTokenError::Other(_) => Vec::new(),
    };
    match seen {
        Some((status, _)) if status == StatusCode::OK => errors::unusable(call, Some(status)),
        Some((status, headers)) => errors::unexpected_status(
            call,
            &Answer {
                status,
                headers,
                body,
            },
        ),
        None => errors::unusable(call, None),
    }
}
