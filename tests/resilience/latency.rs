//! Response times collected during a test, summarised as percentiles, and session checks
//! timed while something else loads the service.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nectr_auth_tests::TestApp;

#[derive(Debug, Default, Clone)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn push(&mut self, took: Duration) {
        self.0.push(took);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The smallest time at or below which `percent` of the samples fall (nearest rank);
    /// zero when there are none.
    pub fn percentile(&self, percent: usize) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        let rank = (sorted.len() * percent.min(100)).div_ceil(100);
        rank.checked_sub(1)
            .and_then(|at| sorted.get(at))
            .copied()
            .unwrap_or_default()
    }

    pub fn max(&self) -> Duration {
        self.0.iter().max().copied().unwrap_or_default()
    }
}

impl std::fmt::Display for Latencies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} samples, p50 {:?}, p99 {:?}, max {:?}",
            self.len(),
            self.percentile(50),
            self.percentile(99),
            self.max()
        )
    }
}

/// Runs `work` while checking the signed-in session of `app.client` over and over (as
/// pages of signed-in people do); returns what `work` returned and how long each check
/// took. Every check must answer 200.
pub async fn while_checking_session<T>(
    app: &TestApp,
    work: impl Future<Output = T>,
) -> (T, Latencies) {
    let done = AtomicBool::new(false);
    let work = async {
        let outcome = work.await;
        done.store(true, Ordering::SeqCst);
        outcome
    };
    let checks = async {
        let mut latencies = Latencies::default();
        // Bounded in count as well as by `work` finishing.
        for _ in 0..10_000 {
            if done.load(Ordering::SeqCst) {
                break;
            }
            let started = Instant::now();
            let status = app.get("/auth/me").await.status();
            latencies.push(started.elapsed());
            assert_eq!(status, 200, "the session check answers meanwhile");
            // A page load now and then, not a second flood.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        latencies
    };
    tokio::join!(work, checks)
}
