//! The OAuth flow: the authorization URL (always with PKCE), the exchange of a code for
//! tokens, and the refresh that replaces both tokens.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};

use nectr_application::ports::{AuthorizationRequest, ProviderError, TokenGrant};
use nectr_domain::{AccessToken, PkceVerifier, RefreshToken, Scopes};
use oauth2::basic::{BasicClient, BasicErrorResponse, BasicTokenResponse};
use oauth2::{
    AsyncHttpClient, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use secrecy::ExposeSecret;

use crate::Inner;
use crate::config::{Endpoints, GitlabConfig, GitlabSetupError};
use crate::errors::{self, Call, Grant};
use crate::transport::{self, Answer, TransportError};

/// An oauth2 client with the authorization and token endpoints set.
pub(crate) type OAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

const EXCHANGE: &str = "the sign-in code exchange";
const REFRESH: &str = "the token refresh";

pub(crate) fn client(
    config: &GitlabConfig,
    endpoints: &Endpoints,
) -> Result<OAuthClient, GitlabSetupError> {
    // `RedirectUrl` keeps the string as given, so authorize and exchange send the same bytes.
    let redirect = RedirectUrl::new(config.redirect_url.clone()).map_err(|e| {
        GitlabSetupError::BadRedirectUrl {
            url: config.redirect_url.clone(),
            problem: e.to_string(),
        }
    })?;
    Ok(BasicClient::new(ClientId::new(config.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            config.client_secret.expose_secret().to_owned(),
        ))
        // GitLab documents the client credentials as form parameters (`client_id`,
        // `client_secret`); HTTP Basic, the oauth2 crate's default, is accepted too.
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(AuthUrl::from_url(endpoints.authorize.clone()))
        .set_token_uri(TokenUrl::from_url(endpoints.token.clone()))
        .set_redirect_uri(redirect))
}

/// `{GITLAB_URL}/oauth/authorize` with `response_type=code`, the client id, the callback, the
/// `state`, the space-separated scopes and the S256 challenge of the request's verifier.
pub(crate) fn authorization_url(inner: &Inner, request: &AuthorizationRequest<'_>) -> String {
    let state = request.state.as_str().to_owned();
    let mut authorize = inner
        .oauth
        .authorize_url(|| CsrfToken::new(state))
        .add_scopes(inner.scopes.iter().map(|s| Scope::new((*s).to_owned())));
    // The use cases create a verifier for every sign-in with a provider that uses PKCE; one
    // without would simply go without a challenge, and GitLab would then not ask for one.
    if let Some(verifier) = request.pkce_verifier {
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
    let call = inner.call(EXCHANGE);
    let http_client = ExchangeClient::new(&inner.http);
    let mut exchange = inner
        .oauth
        .exchange_code(AuthorizationCode::new(code.to_owned()));
    if let Some(verifier) = pkce_verifier {
        exchange = exchange.set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_owned()));
    }
    let result = exchange.request_async(&http_client).await;
    let seen = http_client.seen();
    match result {
        Ok(answer) => {
            tracing::debug!("GitLab issued an access token");
            grant(&answer, call)
        }
        Err(error) => {
            let sent = [
                code,
                pkce_verifier.map_or("", PkceVerifier::expose),
                inner.config.client_secret.expose_secret(),
            ];
            Err(token_endpoint_error(error, seen, Grant::Code, call, &sent))
        }
    }
}

/// `grant_type=refresh_token` at the same endpoint, with the client credentials. GitLab
/// replaces both tokens: once it has taken the request, the refresh token passed in is dead,
/// even if its answer is lost on the way back.
pub(crate) async fn refresh(
    inner: &Inner,
    refresh_token: &RefreshToken,
) -> Result<TokenGrant, ProviderError> {
    let call = inner.call(REFRESH);
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
            tracing::debug!("GitLab refreshed an access token");
            grant(&answer, call)
        }
        Err(error) => {
            let sent = [
                refresh_token.expose(),
                inner.config.client_secret.expose_secret(),
            ];
            Err(token_endpoint_error(
                error,
                seen,
                Grant::Refresh,
                call,
                &sent,
            ))
        }
    }
}

/// A token answer as the port's `TokenGrant`.
fn grant(answer: &BasicTokenResponse, call: Call<'_>) -> Result<TokenGrant, ProviderError> {
    // GitLab writes `Bearer` (its documentation shows `bearer`); oauth2 only recognises the
    // lowercase form, and RFC 6749 §5.1 says the type is case-insensitive.
    if !answer.token_type().as_ref().eq_ignore_ascii_case("bearer") {
        return Err(ProviderError::BadResponse(format!(
            "GitLab answered {} with a token of an unknown type ({:?}) instead of a bearer token",
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
            "GitLab answered {} with {which} that is not a plain printable string",
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
        // GitLab's refresh tokens do not expire; they die when used or revoked.
        refresh_token_expires_in: None,
        scopes: granted_scopes(answer.scopes().map(Vec::as_slice)),
    })
}

/// The `scope` of a token answer (space-separated at GitLab, which the oauth2 crate splits).
/// A list that cannot be read is treated as not said, rather than failing a sign-in over it.
fn granted_scopes(scopes: Option<&[Scope]>) -> Option<Scopes> {
    let text = scopes?
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    match Scopes::parse(&text) {
        Ok(scopes) => Some(scopes),
        Err(_) => {
            tracing::warn!("GitLab's token answer has a scope list that cannot be read; ignored");
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

fn token_endpoint_error(
    error: RequestTokenError<TransportError, BasicErrorResponse>,
    seen: Option<(StatusCode, HeaderMap)>,
    grant: Grant,
    call: Call<'_>,
    sent: &[&str],
) -> ProviderError {
    let body = match error {
        RequestTokenError::Request(e) => return errors::transport(&e, call),
        // RFC 6749's error answer, which GitLab sends with HTTP 400 or 401.
        RequestTokenError::ServerResponse(e) => {
            return errors::token_error(e.error().as_ref(), grant, call);
        }
        // A body that is neither a token nor an OAuth error (a 502 page, GitLab's REST error
        // JSON, a rate-limit text). Neither the body nor the parser's complaint, which could
        // quote it, is shown.
        RequestTokenError::Parse(_, body) => body,
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
            sent,
        ),
        None => errors::unusable(call, None),
    }
}
