//! What the service stored, read through a connection of the test's own, and the sealed
//! tokens opened with the service's key, so the checks do not trust the service's own
//! reading of its rows.

use nectr_application::ports::TokenCipher as _;
use nectr_auth_tests::Backend;
use nectr_crypto::{AesGcmTokenCipher, Keyring, SecretKey};
use nectr_domain::{EncryptedToken, Identity, KeyId, ProviderId, Subject};

/// One `users` row with its sealed token.
#[derive(Debug)]
pub struct StoredUser {
    pub github_id: i64,
    pub login: String,
    key_id: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

/// Every row of `users`.
pub async fn users(backend: Backend, database_url: &str) -> Vec<StoredUser> {
    match backend {
        Backend::Postgres => postgres_users(database_url).await,
        Backend::Sqlite => {
            let path = database_url.trim_start_matches("sqlite://").to_owned();
            tokio::task::spawn_blocking(move || sqlite_users(&path))
                .await
                .expect("the SQLite read finishes")
        }
    }
}

/// GitHub people only: these tests sign in through GitHub.
const SELECT_USERS: &str = "SELECT provider_user_id, username, token_key_id, token_nonce, \
                            token_ciphertext FROM users WHERE provider = 'github'";

async fn postgres_users(database_url: &str) -> Vec<StoredUser> {
    let (client, connection) = tokio_postgres::connect(database_url, tokio_postgres::NoTls)
        .await
        .expect("a PostgreSQL connection of our own");
    tokio::spawn(connection);
    client
        .query(SELECT_USERS, &[])
        .await
        .expect("users can be read")
        .iter()
        .map(|row| StoredUser {
            github_id: github_id(row.get(0)),
            login: row.get(1),
            key_id: row.get(2),
            nonce: row.get(3),
            ciphertext: row.get(4),
        })
        .collect()
}

fn sqlite_users(path: &str) -> Vec<StoredUser> {
    use diesel::sql_types::{Binary, Text};
    use diesel::{Connection as _, RunQueryDsl as _};

    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        provider_user_id: String,
        #[diesel(sql_type = Text)]
        username: String,
        #[diesel(sql_type = Text)]
        token_key_id: String,
        #[diesel(sql_type = Binary)]
        token_nonce: Vec<u8>,
        #[diesel(sql_type = Binary)]
        token_ciphertext: Vec<u8>,
    }
    let mut connection = diesel::SqliteConnection::establish(path).expect("the SQLite file opens");
    diesel::sql_query(SELECT_USERS)
        .load::<Row>(&mut connection)
        .expect("users can be read")
        .into_iter()
        .map(|row| StoredUser {
            github_id: github_id(&row.provider_user_id),
            login: row.username,
            key_id: row.token_key_id,
            nonce: row.token_nonce,
            ciphertext: row.token_ciphertext,
        })
        .collect()
}

fn github_id(text: &str) -> i64 {
    text.parse().expect("GitHub ids are stored as decimal text")
}

/// Opens sealed tokens as the service would, with a cipher built from the same `SECRET_KEY`.
pub struct Opener(AesGcmTokenCipher);

impl Opener {
    pub fn new(secret_key: &str) -> Self {
        let key = SecretKey::parse(secret_key).expect("the service's SECRET_KEY parses");
        Self(AesGcmTokenCipher::new(&Keyring::new(key, vec![])))
    }

    /// The token in the clear, or why it does not open.
    pub fn open(&self, user: &StoredUser) -> Result<String, String> {
        let key_id = KeyId::parse(&user.key_id).map_err(|e| format!("key id: {e}"))?;
        let sealed = EncryptedToken::new(key_id, user.nonce.clone(), user.ciphertext.clone())
            .map_err(|e| format!("sealed value: {e}"))?;
        let owner = Identity::new(
            ProviderId::parse("github").map_err(|e| format!("provider: {e}"))?,
            Subject::from_number(user.github_id).map_err(|e| format!("github id: {e}"))?,
        );
        self.0
            .open(&sealed, &owner)
            .map(|tokens| tokens.access.expose().to_owned())
            .map_err(|e| format!("{e}"))
    }
}
