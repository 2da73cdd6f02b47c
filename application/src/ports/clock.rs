//! The clock port, so expiry rules can be tested at chosen instants.

use nectr_domain::Timestamp;

/// The current time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}
