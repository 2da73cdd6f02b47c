//! The oauth2 crate over the shared transport: the client, the authorization URL, the code
//! exchange and the refresh, and what comes back, as the port's types.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};

use nectr_application::ports::{ProviderError, TokenGrant};
use nectr_domain::{AccessToken, PkceVerifier, RefreshToken, Scopes};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
};
use oauth2::{
    AsyncHttpClient, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RequestTokenError, Scope, StandardRevocableToken, TokenResponse, TokenUrl,
};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::transport::{self, Answer, Provider, TransportError};

/// An oauth2 client with the authorization and token endpoints set, for the provider's token
/// answer `TR`.
pub type OAuthClient<TR> = oauth2::Client<
    BasicErrorResponse,
    TR,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What the oauth2 client is built from.
pub struct ClientSettings<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a SecretString,
    pub authorize: &'a Url,
    pub token: &'a Url,
    pub redirect_url: &'a str,
}

/// The oauth2 client.
///
/// # Errors
/// The parser's complaint when the callback URL is not an absolute URL.
pub fn client<TR: TokenResponse>(settings: &ClientSettings<'_>) -> Result<OAuthClient<TR>, String> {
    // `RedirectUrl` keeps the string as given, so authorize and exchange send the same bytes.
    let redirect = RedirectUrl::new(settings.redirect_url.to_owned()).map_err(|e| e.to_string())?;
    Ok(
        oauth2::Client::new(ClientId::new(settings.client_id.to_owned()))
            .set_client_secret(ClientSecret::new(
                settings.client_secret.expose_secret().to_owned(),
            ))
            // Providers document the client credentials as form parameters (HTTP Basic, the
            // oauth2 crate's default, is at most tolerated).
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::from_url(settings.authorize.clone()))
            .set_token_uri(TokenUrl::from_url(settings.token.clone()))
            .set_redirect_uri(redirect),
    )
}

/// The authorization URL with `state`, the scopes, and the S256 challenge of `verifier` when
/// there is one.
pub fn authorization_url<'s, TR: TokenResponse>(
    oauth: &OAuthClient<TR>,
    state: &str,
    scopes: impl IntoIterator<Item = &'s str>,
    verifier: Option<&PkceVerifier>,
) -> String {
    let state = state.to_owned();
    let mut authorize = oauth
        .authorize_url(|| CsrfToken::new(state))
        .add_scopes(scopes.into_iter().map(|s| Scope::new(s.to_owned())));
    if let Some(verifier) = verifier {
        // `PkceVerifier` guarantees RFC 7636's 43 to 128 characters, which this call asserts.
        let verifier = PkceCodeVerifier::new(verifier.expose().to_owned());
        authorize =
            authorize.set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(&verifier));
    }
    let (url, _state) = authorize.url();
    url.into()
}

/// Exchanges a sign-in code (with the verifier, when the attempt has one) for tokens.
///
/// # Errors
/// `Failed` with what went wrong and the answer's status, if one came.
pub async fn exchange_code<TR: TokenResponse>(
    oauth: &OAuthClient<TR>,
    http: &reqwest::Client,
    provider: &Provider,
    code: &str,
    verifier: Option<&PkceVerifier>,
) -> Result<TR, Failed> {
    let http_client = ExchangeClient::new(http, provider);
    let mut exchange = oauth.exchange_code(AuthorizationCode::new(code.to_owned()));
    if let Some(verifier) = verifier {
        exchange = exchange.set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_owned()));
    }
    let result = exchange.request_async(&http_client).await;
    result.map_err(|error| Failed {
        error,
        seen: http_client.seen(),
    })
}

/// `grant_type=refresh_token` at the token endpoint, with the client credentials.
///
/// # Errors
/// `Failed` with what went wrong and the answer's status, if one came.
pub async fn refresh<TR: TokenResponse>(
    oauth: &OAuthClient<TR>,
    http: &reqwest::Client,
    provider: &Provider,
    refresh_token: &RefreshToken,
) -> Result<TR, Failed> {
    let http_client = ExchangeClient::new(http, provider);
    let presented = oauth2::RefreshToken::new(refresh_token.expose().to_owned());
    let result = oauth
        .exchange_refresh_token(&presented)
        .request_async(&http_client)
        .await;
    result.map_err(|error| Failed {
        error,
        seen: http_client.seen(),
    })
}

/// A token request that gave no tokens, as the oauth2 crate reports it, with the status and
/// headers of the answer, which the crate forgets.
pub struct Failed {
    error: RequestTokenError<TransportError, BasicErrorResponse>,
    seen: Option<(StatusCode, HeaderMap)>,
}

/// Why a token request gave no tokens, as the provider's messages need it.
pub enum TokenFailure {
    /// No answer could be read.
    Transport(TransportError),
    /// An OAuth `error` code (RFC 6749 §5.2).
    Refused(String),
    /// A success status, or none known, with a body that is neither a token nor an error.
    Unusable(Option<StatusCode>),
    /// Any other status, with its body.
    Status(Answer),
}

impl Failed {
    /// What went wrong. `codes_in_ok_answers` is for providers that answer their OAuth errors
    /// with HTTP 200 (GitHub), which the oauth2 crate tries, and fails, to read as a token.
    /// Neither the body nor the parser's complaint, which could quote it, goes further than
    /// this.
    #[must_use]
    pub fn classify(self, codes_in_ok_answers: bool) -> TokenFailure {
        #[derive(serde::Deserialize)]
        struct OAuthError {
            error: String,
        }
        let body = match self.error {
            RequestTokenError::Request(e) => return TokenFailure::Transport(e),
            RequestTokenError::ServerResponse(e) => {
                return TokenFailure::Refused(e.error().as_ref().to_owned());
            }
            RequestTokenError::Parse(_, body) => {
                if codes_in_ok_answers && let Ok(e) = serde_json::from_slice::<OAuthError>(&body) {
                    return TokenFailure::Refused(e.error);
                }
                body
            }
            // Not JSON at all (a `Content-Type` other than JSON, an empty body).
            RequestTokenError::Other(_) => Vec::new(),
        };
        match self.seen {
            Some((status, _)) if status == StatusCode::OK => TokenFailure::Unusable(Some(status)),
            Some((status, headers)) => TokenFailure::Status(Answer {
                status,
                headers,
                body,
            }),
            None => TokenFailure::Unusable(None),
        }
    }
}

/// A token answer as the port's `TokenGrant` (without a refresh token life, which only some
/// providers say, in their own field).
///
/// # Errors
/// `BadResponse` for a token that is not a bearer token or not a plain printable string.
pub fn grant<TR: TokenResponse>(
    answer: &TR,
    provider: &str,
    what: &str,
) -> Result<TokenGrant, ProviderError>
where
    TR::TokenType: AsRef<str>,
{
    // Providers write `Bearer` or `bearer`; oauth2 only recognises the lowercase form, and
    // RFC 6749 §5.1 says the type is case-insensitive.
    let token_type = answer.token_type().as_ref();
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(ProviderError::BadResponse(format!(
            "{provider} answered {what} with a token of an unknown type ({:?}) instead of a \
             bearer token",
            token_type.chars().take(32).collect::<String>()
        )));
    }
    let not_plain = |which: &str| {
        ProviderError::BadResponse(format!(
            "{provider} answered {what} with {which} that is not a plain printable string"
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
        refresh_token_expires_in: None,
        scopes: granted_scopes(provider, answer.scopes().map(Vec::as_slice)),
    })
}

/// The `scope` of a token answer. The oauth2 crate splits it on spaces, some providers
/// (GitHub) separate with commas, so the pieces are joined again and read with both
/// separators. A list that cannot be read is treated as not said, rather than failing a
/// sign-in over it.
fn granted_scopes(provider: &str, scopes: Option<&[Scope]>) -> Option<Scopes> {
    let text = scopes?
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    match Scopes::parse(&text) {
        Ok(scopes) => Some(scopes),
        Err(_) => {
            tracing::warn!(
                "{provider}'s token answer has a scope list that cannot be read; ignored"
            );
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
    provider: &'a Provider,
    seen: Mutex<Option<(StatusCode, HeaderMap)>>,
}

impl<'a> ExchangeClient<'a> {
    fn new(http: &'a reqwest::Client, provider: &'a Provider) -> Self {
        Self {
            http,
            provider,
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
            let answer = transport::send(self.http, self.provider, request).await?;
            *self.seen.lock().unwrap_or_else(PoisonError::into_inner) =
                Some((answer.status, answer.headers.clone()));
            let mut response = HttpResponse::new(answer.body);
            *response.status_mut() = answer.status;
            *response.headers_mut() = answer.headers;
            Ok(response)
        })
    }
}
