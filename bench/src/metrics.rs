//! Where a sign-in callback's time goes, from the service's own `/metrics`: the callback's
//! latency histogram against the GitHub client's, per GitHub call. What is left is the
//! service's own work (database and crypto) and its waiting for CPU.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::Serialize;

use crate::raw_http;

const CALLBACK_ROUTE: &str = "/auth/{provider}/callback";
const HTTP_DURATION: &str = "nectr_auth_http_request_duration_seconds";
const GITHUB_DURATION: &str = "nectr_auth_github_request_duration_seconds";

/// One scrape's samples.
#[derive(Debug, Clone, Default)]
pub struct Snapshot(Vec<Sample>);

#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    pub callbacks: u64,
    /// Mean milliseconds of one callback, from the service's histogram.
    pub callback_ms: f64,
    /// Per GitHub call (`token`, `user`, …): mean milliseconds per callback, and calls.
    pub github: Vec<GithubCall>,
    /// What is left of a callback: the service's own work.
    pub ours_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GithubCall {
    pub call: String,
    pub calls: u64,
    pub ms_per_callback: f64,
}

pub async fn scrape(address: SocketAddr) -> Result<Snapshot, String> {
    let answer = raw_http::get(address, "/metrics", &[]).await?;
    if answer.status != 200 {
        return Err(format!("GET /metrics answered HTTP {}", answer.status));
    }
    Ok(parse(&String::from_utf8_lossy(&answer.body)))
}

fn parse(text: &str) -> Snapshot {
    Snapshot(text.lines().filter_map(sample).collect())
}

/// `name{a="x",b="y"} value` or `name value`; comments and anything odd are skipped.
fn sample(line: &str) -> Option<Sample> {
    if line.starts_with('#') || line.trim().is_empty() {
        return None;
    }
    let (series, value) = line.rsplit_once(' ')?;
    let value = value.trim().parse().ok()?;
    let (name, labels) = match series.split_once('{') {
        Some((name, rest)) => (name, labels(rest.strip_suffix('}')?)?),
        None => (series, Vec::new()),
    };
    Some(Sample {
        name: name.trim().to_owned(),
        labels,
        value,
    })
}

fn labels(text: &str) -> Option<Vec<(String, String)>> {
    let mut labels = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"")?;
        // Label values here are routes and call names: no escaped quotes in them.
        let (value, after) = after.split_once('"')?;
        labels.push((name.trim().to_owned(), value.to_owned()));
        rest = after.trim_start_matches(',');
    }
    Some(labels)
}

impl Snapshot {
    /// The sum over every series of `name` that has the label `key="value"`.
    fn total(&self, name: &str, key: &str, value: &str) -> f64 {
        self.0
            .iter()
            .filter(|s| s.name == name && s.labels.iter().any(|(k, v)| k == key && v == value))
            .map(|s| s.value)
            .sum()
    }

    fn label_values(&self, name: &str, key: &str) -> Vec<String> {
        let mut values: Vec<String> = self
            .0
            .iter()
            .filter(|s| s.name == name)
            .flat_map(|s| {
                s.labels
                    .iter()
                    .filter(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
            })
            .collect();
        values.sort();
        values.dedup();
        values
    }
}

/// The breakdown of the callbacks between two scrapes; `None` when there were none.
pub fn breakdown(before: &Snapshot, after: &Snapshot) -> Option<Breakdown> {
    let delta = |name: &str, key: &str, value: &str| {
        after.total(name, key, value) - before.total(name, key, value)
    };
    let count_name = format!("{HTTP_DURATION}_count");
    let sum_name = format!("{HTTP_DURATION}_sum");
    let callbacks = delta(&count_name, "route", CALLBACK_ROUTE).round();
    if callbacks < 1.0 {
        return None;
    }
    let per_callback_ms = |seconds: f64| seconds * 1000.0 / callbacks;
    let callback_ms = per_callback_ms(delta(&sum_name, "route", CALLBACK_ROUTE));
    let github_sum = format!("{GITHUB_DURATION}_sum");
    let github_count = format!("{GITHUB_DURATION}_count");
    let mut calls = BTreeMap::new();
    for call in after.label_values(&github_sum, "call") {
        let count = delta(&github_count, "call", &call).round();
        if count >= 1.0 {
            calls.insert(
                call.clone(),
                GithubCall {
                    calls: count as u64,
                    ms_per_callback: per_callback_ms(delta(&github_sum, "call", &call)),
                    call,
                },
            );
        }
    }
    let github: Vec<GithubCall> = calls.into_values().collect();
    let github_ms: f64 = github.iter().map(|c| c.ms_per_callback).sum();
    Some(Breakdown {
        callbacks: callbacks as u64,
        callback_ms,
        ours_ms: callback_ms - github_ms,
        github,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrape_text(callbacks: u32, seconds: f64, token: f64, user: f64) -> String {
        format!(
            "# TYPE nectr_auth_http_request_duration_seconds histogram\n\
             nectr_auth_http_request_duration_seconds_bucket{{route=\"/auth/{{provider}}/callback\",method=\"GET\",le=\"0.1\"}} {callbacks}\n\
             nectr_auth_http_request_duration_seconds_sum{{route=\"/auth/{{provider}}/callback\",method=\"GET\"}} {seconds}\n\
             nectr_auth_http_request_duration_seconds_count{{route=\"/auth/{{provider}}/callback\",method=\"GET\"}} {callbacks}\n\
             nectr_auth_http_request_duration_seconds_count{{route=\"/auth/me\",method=\"GET\"}} 99\n\
             nectr_auth_github_request_duration_seconds_sum{{call=\"token\"}} {token}\n\
             nectr_auth_github_request_duration_seconds_count{{call=\"token\"}} {callbacks}\n\
             nectr_auth_github_request_duration_seconds_sum{{call=\"user\"}} {user}\n\
             nectr_auth_github_request_duration_seconds_count{{call=\"user\"}} {callbacks}\n"
        )
    }

    #[test]
    fn splits_the_callback_time_between_the_scrapes() {
        let before = parse(&scrape_text(10, 1.0, 0.2, 0.3));
        let after = parse(&scrape_text(110, 6.0, 1.2, 2.3));
        let breakdown = breakdown(&before, &after).expect("callbacks happened");
        assert_eq!(breakdown.callbacks, 100);
        assert!((breakdown.callback_ms - 50.0).abs() < 1e-9);
        assert_eq!(breakdown.github.len(), 2);
        assert_eq!(breakdown.github[0].call, "token");
        assert!((breakdown.github[0].ms_per_callback - 10.0).abs() < 1e-9);
        assert!((breakdown.github[1].ms_per_callback - 20.0).abs() < 1e-9);
        assert!((breakdown.ours_ms - 20.0).abs() < 1e-9);
        assert!(super::breakdown(&after, &after).is_none());
    }
}
