//! A clock tests can move forward, so expiry is tested without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

use nectr_application::ports::Clock;
use nectr_domain::Timestamp;

/// Starts at the real time; `advance` moves it.
#[derive(Debug)]
pub struct TestClock(AtomicI64);

impl Default for TestClock {
    fn default() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Self(AtomicI64::new(now))
    }
}

impl TestClock {
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_seconds(self.0.load(Ordering::SeqCst))
    }
}
