//! Sign-in attempts stored in batches: every `GET /auth/{provider}` writes one row, and under a
//! burst (a whole organisation signing in at nine) one multi-row `INSERT` and one commit for
//! all the attempts that arrived meanwhile cost the database far less than one each.
//!
//! Batches form by themselves, without waiting: the first attempt starts a writer task at
//! once, and whatever arrives while that writer's statement runs goes into the next
//! statement. A caller is answered only once its row is committed, so a callback that
//! follows (on any instance) always finds it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use diesel_async::RunQueryDsl;
use nectr_application::ports::StoreError;
use nectr_domain::OAuthState;
use tokio::sync::oneshot;

use crate::Database;
use crate::error::{pool_error, query_error};
use crate::models::NewState;
use crate::pool::Pools;
use crate::schema::oauth_states;

/// Most rows in one statement: far below either database's limit on bound parameters
/// (6 per row), and enough that a batch never waits long behind another.
const MAX_ROWS: usize = 256;

const ACTION: &str = "storing sign-in attempts";

type Reply = oneshot::Sender<Result<(), StoreError>>;

/// The attempts waiting to be written, and whether a writer task is running.
#[derive(Default)]
pub(crate) struct StateBatcher {
    waiting: Mutex<Vec<(OAuthState, Reply)>>,
    writing: AtomicBool,
}

impl StateBatcher {
    fn waiting(&self) -> std::sync::MutexGuard<'_, Vec<(OAuthState, Reply)>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next batch, or `None` once nothing waits, when the writer stops.
    fn next_batch_or_stop(&self) -> Option<Vec<(OAuthState, Reply)>> {
        loop {
            let batch = self.next_batch();
            if !batch.is_empty() {
                return Some(batch);
            }
            self.writing.store(false, Ordering::Release);
            // An attempt queued after the batch was taken but before the flag went down saw
            // a writer running and started none: this writer must take it.
            let more = !self.waiting().is_empty();
            if !more || self.writing.swap(true, Ordering::AcqRel) {
                return None;
            }
        }
    }

    /// Takes up to `MAX_ROWS` waiting attempts, oldest first.
    fn next_batch(&self) -> Vec<(OAuthState, Reply)> {
        let mut waiting = self.waiting();
        let n = waiting.len().min(MAX_ROWS);
        waiting.drain(..n).collect()
    }
}

/// The writer's loop on one pool: `$write` stores `$states` on `$conn` (a `&mut` connection
/// of that pool's backend); the outcome goes to every caller of the batch.
macro_rules! write_batches {
    ($db:ident, $pool:ident, |$conn:ident, $states:ident| $write:expr) => {{
        let mut held = None;
        while let Some(batch) = $db.state_batcher().next_batch_or_stop() {
            let ($states, replies): (Vec<OAuthState>, Vec<Reply>) = batch.into_iter().unzip();
            let checked_out = match held.take() {
                Some(connection) => Ok(connection),
                None => $pool
                    .get()
                    .await
                    .map_err(|error| pool_error($db.description(), &error)),
            };
            let outcome = match checked_out {
                Ok(mut connection) => {
                    let $conn = &mut *connection;
                    let result: diesel::QueryResult<()> = $write;
                    match result {
                        Ok(()) => {
                            held = Some(connection);
                            Ok(())
                        }
                        Err(error) => Err(query_error($db.description(), ACTION, &error)),
                    }
                }
                Err(error) => Err(error),
            };
            for reply in replies {
                // A caller that gave up (its request was dropped) no longer listens.
                let _ = reply.send(match &outcome {
                    Ok(()) => Ok(()),
                    Err(error) => Err(copy(error)),
                });
            }
        }
    }};
}

impl Database {
    /// Stores the attempt with whichever others are being stored at the same moment.
    pub(crate) async fn insert_state_batched(&self, state: &OAuthState) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.state_batcher().waiting().push((state.clone(), reply));
        if !self.state_batcher().writing.swap(true, Ordering::AcqRel) {
            tokio::spawn(self.clone().write_waiting_states());
        }
        answer.await.unwrap_or_else(|_| {
            Err(StoreError::Failed(
                "the task storing sign-in attempts stopped before answering".to_owned(),
            ))
        })
    }

    /// The writer: writes batches until none is waiting, then stops. It keeps its connection
    /// while batches follow one another, so a burst pays the pool's checkout check
    /// (`SELECT 1`) once rather than per batch; a connection whose write failed is dropped.
    async fn write_waiting_states(self) {
        let db = &self;
        match self.pools() {
            Pools::Postgres(pool) => write_batches!(db, pool, |conn, states| {
                let rows: Vec<NewState<'_>> = states.iter().map(NewState::new).collect();
                diesel::insert_into(oauth_states::table)
                    .values(&rows)
                    .execute(conn)
                    .await
                    .map(drop)
            }),
            // diesel-async cannot send a multi-row INSERT to SQLite; diesel can, on the
            // connection's own blocking thread.
            Pools::Sqlite(pool) => write_batches!(db, pool, |conn, states| {
                conn.spawn_blocking(move |conn| {
                    let rows: Vec<NewState<'_>> = states.iter().map(NewState::new).collect();
                    diesel::RunQueryDsl::execute(
                        diesel::insert_into(oauth_states::table).values(&rows),
                        conn,
                    )
                    .map(drop)
                })
                .await
            }),
        }
    }
}

/// The same error for each caller of a failed batch.
fn copy(error: &StoreError) -> StoreError {
    match error {
        StoreError::Unavailable { database, detail } => StoreError::Unavailable {
            database,
            detail: detail.clone(),
        },
        StoreError::Failed(detail) => StoreError::Failed(detail.clone()),
    }
}
