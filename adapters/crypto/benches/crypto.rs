//! What the hot paths pay for cryptography: sealing and opening a person's provider tokens
//! (every sign-in, every use of the token) and signing and verifying the session JWT (every
//! sign-in, every session check). `cargo bench -p nectr-crypto`; figures in
//! docs/performance.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use nectr_application::ports::{SessionSigner, TokenCipher};
use nectr_crypto::{AesGcmTokenCipher, JwtSessionSigner, Keyring, SecretKey};
use nectr_domain::{
    AccessToken, Identity, ProviderId, ProviderTokens, RefreshToken, SessionClaims, SessionId,
    Subject, Timestamp, UserId,
};

const NOW: i64 = 1_800_000_000;

fn keyring() -> Keyring {
    Keyring::new(SecretKey::generate(), vec![SecretKey::generate()])
}

fn token_sealing(c: &mut Criterion) {
    let cipher = AesGcmTokenCipher::new(&keyring());
    // The shape of a GitHub OAuth token: a prefix and 36 characters, sealed bare.
    let token = ProviderTokens::lasting(
        AccessToken::new(format!("gho_{}", "x".repeat(36))).expect("a token"),
    );
    let owner = Identity::new(
        ProviderId::parse("github").expect("a provider id"),
        Subject::from_number(5_000_000_000).expect("positive"),
    );
    let sealed = cipher.seal(&token, &owner);

    c.bench_function("seal a GitHub token (AES-256-GCM)", |b| {
        b.iter(|| cipher.seal(black_box(&token), black_box(&owner)));
    });
    c.bench_function("open a sealed GitHub token", |b| {
        b.iter(|| {
            cipher
                .open(black_box(&sealed), black_box(&owner))
                .expect("opens")
        });
    });

    // An expiring token with its refresh token (GitHub apps that opted in, GitLab): four
    // fields to format and parse around the same cipher.
    let bundle = ProviderTokens {
        access: AccessToken::new(format!("ghu_{}", "x".repeat(36))).expect("a token"),
        access_expires_at: Some(Timestamp::from_unix_seconds(NOW + 28_800)),
        refresh: Some(RefreshToken::new(format!("ghr_{}", "y".repeat(76))).expect("a token")),
        refresh_expires_at: Some(Timestamp::from_unix_seconds(NOW + 15_897_600)),
    };
    let gitlab = Identity::new(
        ProviderId::parse("gitlab").expect("a provider id"),
        Subject::from_number(12_345_678).expect("positive"),
    );
    let sealed_bundle = cipher.seal(&bundle, &gitlab);

    c.bench_function("seal an expiring token with refresh token", |b| {
        b.iter(|| cipher.seal(black_box(&bundle), black_box(&gitlab)));
    });
    c.bench_function("open a sealed expiring token with refresh token", |b| {
        b.iter(|| {
            cipher
                .open(black_box(&sealed_bundle), black_box(&gitlab))
                .expect("opens")
        });
    });
}

fn session_tokens(c: &mut Criterion) {
    let signer = JwtSessionSigner::new(&keyring());
    let claims = SessionClaims {
        session_id: SessionId::parse(&"s".repeat(43)).expect("43 characters"),
        user_id: UserId::new(42).expect("positive"),
        issued_at: Timestamp::from_unix_seconds(NOW),
        expires_at: Timestamp::from_unix_seconds(NOW + 86_400),
    };
    let jwt = signer.sign(&claims);
    let now = Timestamp::from_unix_seconds(NOW + 60);

    c.bench_function("sign a session JWT (HS256)", |b| {
        b.iter(|| signer.sign(black_box(&claims)));
    });
    c.bench_function("verify a session JWT", |b| {
        b.iter(|| signer.verify(black_box(&jwt), now).expect("valid"));
    });
}

criterion_group!(benches, token_sealing, session_tokens);
criterion_main!(benches);
