//! The session cookie's value: an HS256 JWT signed with a key derived from the keyring.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::alg::hmac::HmacJwsSigner;
use josekit::jws::{HS256, JwsAlgorithm, JwsHeader, JwsSigner, JwsVerifier};
use josekit::jwt::{self, JwtPayload};
use josekit::{JoseError, Map, Value};
use nectr_application::ports::{SessionSigner, SignerError};
use nectr_domain::{KeyId, SessionClaims, SessionId, Timestamp, UserId};
use subtle::ConstantTimeEq as _;

use crate::Keyring;
use crate::keyring::DerivedKeys;

/// Clock difference tolerated between the instances that sign and verify.
const LEEWAY_SECONDS: i64 = 30;

/// Our tokens are about 300 bytes; anything far larger is refused before any parsing.
const MAX_TOKEN_LEN: usize = 4096;

/// One HS256 key: signs new tokens and, as a josekit verifier, checks signatures.
#[derive(Clone)]
struct Hs256Key {
    id: KeyId,
    signer: HmacJwsSigner,
}

impl Hs256Key {
    fn new(keys: &DerivedKeys) -> Self {
        let signer = HS256
            .signer_from_bytes(keys.jwt_key())
            .expect("HS256 accepts a 32-byte key");
        Self {
            id: keys.id().clone(),
            signer,
        }
    }
}

impl JwsVerifier for Hs256Key {
    fn algorithm(&self) -> &dyn JwsAlgorithm {
        &HS256
    }

    /// None: the key was already chosen by `kid`, and a missing `kid` is allowed (it means
    /// the current key), which josekit would refuse if a key id were set here.
    fn key_id(&self) -> Option<&str> {
        None
    }

    /// Recomputes the MAC and compares in constant time; josekit's own HMAC verifier uses
    /// `!=`, whose timing tells an attacker how many leading bytes of a forgery are right.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), JoseError> {
        let expected = self.signer.sign(message)?;
        if bool::from(expected.as_slice().ct_eq(signature)) {
            Ok(())
        } else {
            Err(JoseError::InvalidSignature(anyhow::anyhow!(
                "the HS256 signature does not match"
            )))
        }
    }

    fn box_clone(&self) -> Box<dyn JwsVerifier> {
        Box::new(self.clone())
    }
}

impl std::fmt::Debug for Hs256Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hs256Key")
            .field("id", &self.id.as_str())
            .finish_non_exhaustive()
    }
}

/// The [`SessionSigner`]: compact JWS (HS256) with `sub`, `sid`, `iat`, `exp` and the signing
/// key's id in the header's `kid`.
pub struct JwtSessionSigner {
    current: Hs256Key,
    previous: Vec<Hs256Key>,
    leeway_seconds: i64,
}

impl JwtSessionSigner {
    /// Signs with the keyring's current key, verifies with any key in it, and tolerates 30
    /// seconds of clock difference on `exp`, `iat` and `nbf`.
    pub fn new(keyring: &Keyring) -> Self {
        Self {
            current: Hs256Key::new(keyring.current()),
            previous: keyring.previous().map(Hs256Key::new).collect(),
            leeway_seconds: LEEWAY_SECONDS,
        }
    }

    /// The key a token's header names; a header without `kid` means the current key.
    fn key_for(&self, header: &Map<String, Value>) -> Result<&Hs256Key, SignerError> {
        match header.get("kid") {
            None => Ok(&self.current),
            Some(Value::String(kid)) => std::iter::once(&self.current)
                .chain(&self.previous)
                .find(|key| key.id.as_str() == kid)
                .ok_or(invalid("unknown key id")),
            Some(_) => Err(invalid("key id is not a string")),
        }
    }

    /// `exp`, `iat` and, when present, `nbf` against `now`, with the leeway.
    fn check_times(
        &self,
        payload: &JwtPayload,
        claims: &SessionClaims,
        now: Timestamp,
    ) -> Result<(), SignerError> {
        let now = now.unix_seconds();
        let earliest = now.saturating_sub(self.leeway_seconds);
        let latest = now.saturating_add(self.leeway_seconds);
        if claims.expires_at.unix_seconds() <= earliest {
            return Err(invalid("expired"));
        }
        if claims.issued_at.unix_seconds() > latest {
            return Err(invalid("issued in the future"));
        }
        if seconds(payload, "nbf")?.is_some_and(|nbf| nbf > latest) {
            return Err(invalid("not yet valid"));
        }
        Ok(())
    }
}

fn invalid(reason: &'static str) -> SignerError {
    SignerError::Invalid(reason)
}

impl SessionSigner for JwtSessionSigner {
    fn sign(&self, claims: &SessionClaims) -> String {
        let mut header = JwsHeader::new();
        header.set_token_type("JWT");
        header.set_key_id(self.current.id.as_str());
        let mut map = Map::new();
        map.insert("sub".into(), Value::from(claims.user_id.to_string()));
        map.insert("sid".into(), Value::from(claims.session_id.as_str()));
        // NumericDate is never negative; a time before 1970 cannot occur in a real session.
        let iat = claims.issued_at.unix_seconds().max(0);
        let exp = claims.expires_at.unix_seconds().max(0);
        map.insert("iat".into(), Value::from(iat));
        map.insert("exp".into(), Value::from(exp));
        let payload = JwtPayload::from_map(map)
            .expect("a string sub and non-negative integer times are valid JWT claims");
        jwt::encode_with_signer(&payload, &header, &self.current.signer)
            .expect("HMAC-SHA256 over serialized JSON does not fail")
    }

    fn verify(&self, token: &str, now: Timestamp) -> Result<SessionClaims, SignerError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(invalid("token too long"));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("not three dot-separated parts"));
        };
        // josekit decodes the payload and signature again after choosing the key; checking
        // them here too gives every malformed token the same early, clear refusal.
        let header = decode_part(header)?;
        decode_part(payload)?;
        decode_part(signature)?;
        let header = parse_header(&header)?;
        let key = self.key_for(&header)?;
        let (payload, _) = jwt::decode_with_verifier(token, key).map_err(|err| match err {
            JoseError::InvalidSignature(_) => invalid("bad signature"),
            _ => invalid("malformed token"),
        })?;
        let claims = claims_of(&payload)?;
        self.check_times(&payload, &claims, now)?;
        Ok(claims)
    }
}

/// One non-empty part in canonical unpadded base64url (no padding, no stray bits).
fn decode_part(part: &str) -> Result<Vec<u8>, SignerError> {
    if part.is_empty() {
        return Err(invalid("a part is not unpadded base64url"));
    }
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| invalid("a part is not unpadded base64url"))
}

/// Parses the header and refuses everything but what `sign` produces: HS256, type JWT if
/// named, no critical extensions. The algorithm comes from our configuration, never from the
/// token, so `none`, RS256 (key confusion) and HS512 are all refused here.
fn parse_header(bytes: &[u8]) -> Result<Map<String, Value>, SignerError> {
    let header: Map<String, Value> =
        serde_json::from_slice(bytes).map_err(|_| invalid("header is not a JSON object"))?;
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "HS256" => {}
        _ => return Err(invalid("algorithm is not HS256")),
    }
    match header.get("typ") {
        None => {}
        Some(Value::String(typ)) if typ.eq_ignore_ascii_case("JWT") => {}
        Some(_) => return Err(invalid("type is not JWT")),
    }
    if header.contains_key("crit") {
        return Err(invalid("critical header parameters are not supported"));
    }
    Ok(header)
}

/// `sub` (decimal user id as a string), `sid` (session id), `iat` and `exp` (whole seconds).
fn claims_of(payload: &JwtPayload) -> Result<SessionClaims, SignerError> {
    let user_id = match payload.claim("sub") {
        Some(Value::String(sub)) => UserId::parse(sub).map_err(|_| invalid("sub is not a user id")),
        _ => Err(invalid("sub is missing or not a string")),
    }?;
    let session_id = match payload.claim("sid") {
        Some(Value::String(sid)) => {
            SessionId::parse(sid).map_err(|_| invalid("sid is not a session id"))
        }
        _ => Err(invalid("sid is missing or not a string")),
    }?;
    let issued_at = seconds(payload, "iat")?.ok_or(invalid("iat is missing"))?;
    let expires_at = seconds(payload, "exp")?.ok_or(invalid("exp is missing"))?;
    Ok(SessionClaims {
        session_id,
        user_id,
        issued_at: Timestamp::from_unix_seconds(issued_at),
        expires_at: Timestamp::from_unix_seconds(expires_at),
    })
}

/// A time claim, which must be a whole number of seconds when present.
fn seconds(payload: &JwtPayload, name: &str) -> Result<Option<i64>, SignerError> {
    match payload.claim(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or(invalid("a time claim is not a whole number of seconds")),
        Some(_) => Err(invalid("a time claim is not a number")),
    }
}

impl std::fmt::Debug for JwtSessionSigner {
    /// Key ids only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let previous: Vec<&str> = self.previous.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("JwtSessionSigner")
            .field("current", &self.current.id.as_str())
            .field("previous", &previous)
            .field("leeway_seconds", &self.leeway_seconds)
            .finish()
    }
}

#[cfg(test)]
mod tests;
