use std::sync::atomic::{AtomicUsize, Ordering};

use nectr_domain::{SessionId, UserId};

use super::*;

const EXP: i64 = 1_800_000_100;

/// Accepts exactly the token "signed" (until `EXP`), counting how often it is asked.
#[derive(Default)]
struct Signer {
    verifications: AtomicUsize,
}

impl SessionSigner for Signer {
    fn sign(&self, _: &SessionClaims) -> String {
        "signed".to_owned()
    }

    fn verify(&self, token: &str, now: Timestamp) -> Result<SessionClaims, SignerError> {
        self.verifications.fetch_add(1, Ordering::SeqCst);
        if token != "signed" {
            return Err(SignerError::Invalid("bad signature"));
        }
        if now.unix_seconds() >= EXP {
            return Err(SignerError::Invalid("expired"));
        }
        Ok(SessionClaims {
            session_id: SessionId::parse(&"s".repeat(43)).expect("valid"),
            user_id: UserId::new(7).expect("positive"),
            issued_at: Timestamp::from_unix_seconds(EXP - 1000),
            expires_at: Timestamp::from_unix_seconds(EXP),
        })
    }
}

fn world() -> (Arc<Signer>, MemoizedSigner) {
    let inner = Arc::new(Signer::default());
    (inner.clone(), MemoizedSigner::new(inner, 100))
}

fn at(offset_from_exp: i64) -> Timestamp {
    Timestamp::from_unix_seconds(EXP + offset_from_exp)
}

#[test]
fn a_token_seen_before_is_not_verified_again() {
    let (inner, memo) = world();
    let first = memo.verify("signed", at(-100)).expect("valid");
    let again = memo.verify("signed", at(-50)).expect("valid");
    assert_eq!(first, again);
    assert_eq!(inner.verifications.load(Ordering::SeqCst), 1);
}

#[test]
fn refused_tokens_are_not_remembered() {
    let (inner, memo) = world();
    for _ in 0..3 {
        assert!(memo.verify("forged", at(-100)).is_err());
    }
    assert_eq!(inner.verifications.load(Ordering::SeqCst), 3);
    assert_eq!(memo.verified.len(), 0);
}

#[test]
fn a_remembered_token_is_refused_from_its_expiry_on() {
    let (inner, memo) = world();
    assert!(memo.verify("signed", at(-1)).is_ok());
    assert!(memo.verify("signed", at(0)).is_err());
    assert_eq!(
        inner.verifications.load(Ordering::SeqCst),
        2,
        "the expired token went back to the signer"
    );
}

#[test]
fn only_the_exact_string_is_recognised() {
    let (inner, memo) = world();
    assert!(memo.verify("signed", at(-100)).is_ok());
    assert!(memo.verify("signeD", at(-100)).is_err());
    assert!(memo.verify("signed ", at(-100)).is_err());
    assert_eq!(inner.verifications.load(Ordering::SeqCst), 3);
}
