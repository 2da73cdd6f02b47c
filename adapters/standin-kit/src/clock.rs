//! A clock tests can move forward, so codes and tokens expire without sleeping.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The real clock plus however far a test has moved it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    /// Moves the clock forward; it never goes back.
    pub fn advance(&mut self, by: Duration) {
        self.offset += by;
    }

    /// Now, for lifetimes measured by the stand-in itself.
    pub fn now(&self) -> Instant {
        Instant::now() + self.offset
    }

    /// Now as Unix seconds, for timestamps a provider puts in its answers.
    pub fn epoch_seconds(&self) -> u64 {
        self.epoch_seconds_after(Duration::ZERO)
    }

    /// Unix seconds `later` from now, e.g. when a rate-limit window resets. A wall clock
    /// before 1970 reads as 0 rather than failing a test over it.
    pub fn epoch_seconds_after(&self, later: Duration) -> u64 {
        (SystemTime::now() + self.offset + later)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Clock;

    #[test]
    fn advancing_moves_both_readings() {
        let mut clock = Clock::default();
        let (before, epoch_before) = (clock.now(), clock.epoch_seconds());
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now().duration_since(before) >= Duration::from_secs(3600));
        assert!(clock.epoch_seconds() >= epoch_before + 3600);
        assert!(clock.epoch_seconds_after(Duration::from_secs(60)) >= clock.epoch_seconds() + 60);
    }
}
