//! What the memory in front of the session check saves: verifying a session JWT from scratch
//! against recognising one verified before. `cargo bench -p nectr-session-cache`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use nectr_application::ports::SessionSigner;
use nectr_crypto::{JwtSessionSigner, Keyring, SecretKey};
use nectr_domain::{SessionClaims, SessionId, Timestamp, UserId};
use nectr_session_cache::MemoizedSigner;

const NOW: i64 = 1_800_000_000;

fn session_token_check(c: &mut Criterion) {
    let signer = Arc::new(JwtSessionSigner::new(&Keyring::new(
        SecretKey::generate(),
        vec![],
    )));
    let memo = MemoizedSigner::new(signer.clone(), 10_000);
    let claims = SessionClaims {
        session_id: SessionId::parse(&"s".repeat(43)).expect("43 characters"),
        user_id: UserId::new(42).expect("positive"),
        issued_at: Timestamp::from_unix_seconds(NOW),
        expires_at: Timestamp::from_unix_seconds(NOW + 86_400),
    };
    let jwt = signer.sign(&claims);
    let now = Timestamp::from_unix_seconds(NOW + 60);
    memo.verify(&jwt, now).expect("valid");

    c.bench_function("verify a session JWT from scratch", |b| {
        b.iter(|| signer.verify(black_box(&jwt), now).expect("valid"));
    });
    c.bench_function("recognise a session JWT verified before", |b| {
        b.iter(|| memo.verify(black_box(&jwt), now).expect("valid"));
    });
}

criterion_group!(benches, session_token_check);
criterion_main!(benches);
