//! The state behind every handler, shared between the test and the server thread.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// A stand-in's state `S` behind a lock, with the URL it is reachable at.
pub struct Shared<S> {
    inner: Mutex<S>,
    /// Where the web routes are reachable (no trailing `/`), for URLs the stand-in hands out.
    pub web_url: String,
}

impl<S: Default> Shared<S> {
    /// Fresh state for a stand-in reachable at `web_url`. A trailing `/` is dropped, so a mount
    /// URL written either way gives the same URLs once paths are appended.
    pub fn new(web_url: impl Into<String>) -> Self {
        Self {
            inner: Mutex::new(S::default()),
            web_url: web_url.into().trim_end_matches('/').to_owned(),
        }
    }
}

impl<S> Shared<S> {
    /// A panic in one handler must not make every later assertion panic too, so a poisoned lock
    /// is still used: the stand-in's mutations each leave the state consistent.
    pub fn lock(&self) -> MutexGuard<'_, S> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
