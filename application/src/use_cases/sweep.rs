//! Sweeping: expired attempts and sessions are deleted so the tables stay small.

use super::AuthService;
use crate::ports::StoreError;

/// How many rows one sweep deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub states: u64,
    pub sessions: u64,
}

impl AuthService {
    /// # Errors
    /// `StoreError` when the database cannot answer.
    pub async fn sweep(&self) -> Result<SweepReport, StoreError> {
        let now = self.ports.clock.now();
        let states = self.ports.states.sweep_expired(now).await?;
        let sessions = self.ports.sessions.sweep_expired(now).await?;
        Ok(SweepReport { states, sessions })
    }
}
