//! The cap on live sign-in attempts (`MAX_LIVE_OAUTH_STATES`), checked without counting the
//! table on every start: counting is a scan that grows with the very flood it guards against.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use nectr_domain::Timestamp;

use crate::ports::{StateStore, StoreError};

/// The database is counted at most once per second of the service's clock (by one request;
/// the others meanwhile use the last count), and the starts made here since are added. That
/// overestimates (expiries and sign-ins that finish are not subtracted until the next count),
/// so the cap errs towards refusing; other instances' starts are seen at the next count.
pub(super) struct StateCap {
    limit: u64,
    estimate: Mutex<Option<Estimate>>,
    counting: AtomicBool,
}

#[derive(Clone, Copy)]
struct Estimate {
    counted_at: Timestamp,
    counted: u64,
    started_since: u64,
}

impl Estimate {
    fn live(self) -> u64 {
        self.counted.saturating_add(self.started_since)
    }
}

impl StateCap {
    /// `limit` 0: no cap.
    pub(super) fn new(limit: u64) -> Self {
        Self {
            limit,
            estimate: Mutex::new(None),
            counting: AtomicBool::new(false),
        }
    }

    /// Whether one more attempt may start at `now`.
    pub(super) async fn admits(
        &self,
        states: &dyn StateStore,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if self.limit == 0 {
            return Ok(true);
        }
        let last = *self.lock();
        if let Some(estimate) = last {
            let fresh = estimate.counted_at == now;
            if fresh || self.counting.swap(true, Ordering::AcqRel) {
                return Ok(estimate.live() < self.limit);
            }
        }
        let counted = states.count_live(now).await;
        self.counting.store(false, Ordering::Release);
        let counted = counted?;
        *self.lock() = Some(Estimate {
            counted_at: now,
            counted,
            started_since: 0,
        });
        Ok(counted < self.limit)
    }

    /// One attempt was stored here.
    pub(super) fn started(&self) {
        if let Some(estimate) = self.lock().as_mut() {
            estimate.started_since = estimate.started_since.saturating_add(1);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Estimate>> {
        self.estimate.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU64;

    use async_trait::async_trait;
    use nectr_domain::{OAuthState, StateToken};

    use super::*;

    /// A table that only answers counts: `live` rows, or an outage when `down`.
    #[derive(Default)]
    struct Table {
        live: AtomicU64,
        counts: AtomicU64,
        down: AtomicBool,
    }

    #[async_trait]
    impl StateStore for Table {
        async fn insert(&self, _: &OAuthState) -> Result<(), StoreError> {
            Ok(())
        }
        async fn consume(
            &self,
            _: &StateToken,
            _: &str,
            _: Timestamp,
        ) -> Result<Option<nectr_domain::ConsumedState>, StoreError> {
            Ok(None)
        }
        async fn sweep_expired(&self, _: Timestamp) -> Result<u64, StoreError> {
            Ok(0)
        }
        async fn count_live(&self, _: Timestamp) -> Result<u64, StoreError> {
            self.counts.fetch_add(1, Ordering::SeqCst);
            if self.down.load(Ordering::SeqCst) {
                return Err(StoreError::Failed("down".to_owned()));
            }
            Ok(self.live.load(Ordering::SeqCst))
        }
    }

    fn second(n: i64) -> Timestamp {
        Timestamp::from_unix_seconds(1_800_000_000 + n)
    }

    #[tokio::test]
    async fn counts_once_a_second_and_adds_the_starts_made_since() {
        let table = Table::default();
        table.live.store(1, Ordering::SeqCst);
        let cap = StateCap::new(3);
        for _ in 0..2 {
            assert!(cap.admits(&table, second(0)).await.expect("counted"));
            cap.started();
        }
        assert!(
            !cap.admits(&table, second(0)).await.expect("estimated"),
            "1 counted + 2 started here reach the cap of 3"
        );
        assert_eq!(table.counts.load(Ordering::SeqCst), 1);

        table.live.store(0, Ordering::SeqCst);
        assert!(
            cap.admits(&table, second(1)).await.expect("counted"),
            "the next second counts again and sees the attempts gone"
        );
        assert_eq!(table.counts.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_count_is_an_error_and_the_next_start_counts_again() {
        let table = Table::default();
        let cap = StateCap::new(3);
        table.down.store(true, Ordering::SeqCst);
        assert!(cap.admits(&table, second(0)).await.is_err());
        table.down.store(false, Ordering::SeqCst);
        assert!(cap.admits(&table, second(0)).await.expect("counted"));
        assert_eq!(table.counts.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn no_cap_never_counts() {
        let table = Table::default();
        let cap = StateCap::new(0);
        assert!(cap.admits(&table, second(0)).await.expect("admitted"));
        assert_eq!(table.counts.load(Ordering::SeqCst), 0);
    }
}
