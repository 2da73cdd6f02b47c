//! CPU time spent by each party of a sign-in, from `/proc`: the service, PostgreSQL (every
//! `postgres` process; SQLite runs inside the service) and this driver (which also plays
//! GitHub). On 2 cores all of them compete, so a sign-in's latency is mostly waiting; where
//! the CPU goes says what each party costs.

use serde::Serialize;

/// Linux reports process times in clock ticks of 1/100 s (`USER_HZ`, fixed by the ABI).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds used so far.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    service: f64,
    postgres: f64,
    driver: f64,
}

/// CPU milliseconds per completed sign-in, by party.
#[derive(Debug, Clone, Serialize)]
pub struct PerSignIn {
    pub service_ms: f64,
    pub postgres_ms: f64,
    pub driver_and_github_ms: f64,
}

pub fn sample(service_pid: u32) -> Sample {
    Sample {
        service: seconds(&format!("/proc/{service_pid}/stat")).unwrap_or(0.0),
        postgres: postgres_seconds(),
        driver: seconds("/proc/self/stat").unwrap_or(0.0),
    }
}

/// What `sign_ins` sign-ins cost between two samples; `None` without any.
pub fn per_sign_in(before: Sample, after: Sample, sign_ins: usize) -> Option<PerSignIn> {
    if sign_ins == 0 {
        return None;
    }
    let each = |b: f64, a: f64| (a - b).max(0.0) * 1000.0 / sign_ins as f64;
    Some(PerSignIn {
        service_ms: each(before.service, after.service),
        postgres_ms: each(before.postgres, after.postgres),
        driver_and_github_ms: each(before.driver, after.driver),
    })
}

fn postgres_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter(|e| {
            std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == "postgres")
        })
        .filter_map(|e| seconds(&e.path().join("stat").to_string_lossy()))
        .sum()
}

/// User plus system time of the process whose `stat` file this is.
fn seconds(stat_path: &str) -> Option<f64> {
    parse_stat(&std::fs::read_to_string(stat_path).ok()?)
}

/// Fields 14 and 15 (`utime`, `stime`) of a `stat` line, counted after the command name,
/// which is in parentheses and may itself hold spaces.
fn parse_stat(stat: &str) -> Option<f64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / TICKS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_user_and_system_ticks_after_a_name_with_spaces() {
        let stat = "4242 (nectr auth) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0";
        assert_eq!(super::parse_stat(stat), Some(3.0));
    }

    #[test]
    fn reads_our_own_time() {
        assert!(super::seconds("/proc/self/stat").is_some());
    }
}
