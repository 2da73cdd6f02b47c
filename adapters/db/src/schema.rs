//! The tables as Diesel sees them, written by hand with types both databases share.
//!
//! `BigInt` is `BIGINT` on PostgreSQL and a 64-bit `INTEGER` on SQLite; `Binary` is `BYTEA`
//! and `BLOB`. Timestamps are Unix seconds.

diesel::table! {
    /// People, keyed by `(provider, provider_user_id)`, with their sealed provider token.
    /// `granted_scopes` is space-separated, NULL when never reported.
    users (id) {
        id -> BigInt,
        provider -> Text,
        provider_user_id -> Text,
        username -> Text,
        name -> Nullable<Text>,
        email -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        granted_scopes -> Nullable<Text>,
        token_key_id -> Text,
        token_nonce -> Binary,
        token_ciphertext -> Binary,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// Sign-in attempts in flight, deleted when used and swept when expired.
    oauth_states (state) {
        state -> Text,
        provider -> Text,
        binding_digest -> Text,
        pkce_verifier -> Nullable<Text>,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    /// Sessions; deleting a person deletes theirs.
    sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, oauth_states, sessions);
