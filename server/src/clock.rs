//! The system clock adapter.

use nectr_application::ports::Clock;
use nectr_domain::Timestamp;

/// Wall-clock time in whole seconds.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Timestamp::from_unix_seconds(seconds)
    }
}
