//! A signed-in browser: the stored session and the claims its cookie carries.

use crate::{SessionId, Timestamp, UserId};

/// A session as stored: it exists until it expires or is revoked (deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Session {
    pub fn is_live_at(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }

    /// What the session cookie asserts about this session.
    pub fn claims(&self) -> SessionClaims {
        SessionClaims {
            session_id: self.id.clone(),
            user_id: self.user_id,
            issued_at: self.created_at,
            expires_at: self.expires_at,
        }
    }
}

/// The contents of the session token (JWT `sub`, `sid`, `iat`, `exp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionClaims {
    pub session_id: SessionId,
    pub user_id: UserId,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}
