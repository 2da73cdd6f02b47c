//! Points in time as whole Unix seconds, the unit stored in both databases.

/// Seconds since the Unix epoch. The clock port produces them; rules compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Self(seconds)
    }

    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The time `seconds` later (earlier when negative), saturating instead of overflowing.
    #[must_use]
    pub const fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_saturates() {
        let end = Timestamp::from_unix_seconds(i64::MAX - 1).plus_seconds(10);
        assert_eq!(end.unix_seconds(), i64::MAX);
        assert_eq!(
            Timestamp::from_unix_seconds(100).plus_seconds(-40),
            Timestamp::from_unix_seconds(60)
        );
    }
}
