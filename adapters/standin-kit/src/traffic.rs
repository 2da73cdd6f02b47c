//! The requests a stand-in received and the faults set on its endpoints, kept together because
//! every request is recorded before its endpoint's fault is looked up.

use std::collections::HashMap;
use std::hash::Hash;

use actix_web::HttpRequest;

use crate::fault::Fault;
use crate::record::RecordedRequest;

/// Part of a stand-in's locked state. `E` is the stand-in's endpoint enum.
#[derive(Clone, Debug)]
pub struct Traffic<E> {
    faults: HashMap<E, Fault>,
    requests: Vec<RecordedRequest<E>>,
}

impl<E> Default for Traffic<E> {
    fn default() -> Self {
        Self {
            faults: HashMap::new(),
            requests: Vec::new(),
        }
    }
}

impl<E: Copy + Eq + Hash> Traffic<E> {
    /// Records the request (unroutable ones too, with no endpoint) and answers the fault set on
    /// its endpoint, for [`crate::wait_out`] once the lock is released.
    pub fn arrive(&mut self, endpoint: Option<E>, req: &HttpRequest, body: &[u8]) -> Option<Fault> {
        self.requests
            .push(RecordedRequest::capture(endpoint, req, body));
        endpoint.and_then(|e| self.faults.get(&e).cloned())
    }

    /// Makes `endpoint` misbehave until [`Traffic::clear_faults`] (replacing its fault).
    pub fn set_fault(&mut self, endpoint: E, fault: Fault) {
        self.faults.insert(endpoint, fault);
    }

    /// Makes every endpoint behave again.
    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// Every request received, in order.
    pub fn requests(&self) -> &[RecordedRequest<E>] {
        &self.requests
    }

    /// The requests routed to `endpoint`, in order.
    pub fn requests_to(&self, endpoint: E) -> Vec<RecordedRequest<E>> {
        self.requests
            .iter()
            .filter(|r| r.endpoint == Some(endpoint))
            .cloned()
            .collect()
    }
}
