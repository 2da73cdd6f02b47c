//! Load with wrk, and what its report says.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use tokio::process::Command;

/// wrk's own threads; two keep up with a two-core server while leaving it the CPU.
const MAX_THREADS: u32 = 2;

#[derive(Debug, Clone, Serialize)]
pub struct WrkFigures {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    /// Answers whose status was neither 2xx nor 3xx.
    pub non_2xx_3xx: u64,
    /// Connect, read, write errors and timeouts.
    pub socket_errors: u64,
}

impl WrkFigures {
    pub fn errors(&self) -> u64 {
        self.non_2xx_3xx + self.socket_errors
    }
}

/// Fails with what to do when wrk is missing.
pub fn require() -> Result<PathBuf, String> {
    crate::process::on_path("wrk").ok_or_else(|| {
        "wrk not found: run scripts/bench.sh, which installs it (or `apt-get install wrk`)"
            .to_owned()
    })
}

/// `connections` connections on `url` for `duration`; `script` shapes each request.
pub async fn run(
    url: &str,
    connections: u32,
    duration: Duration,
    script: Option<&Path>,
) -> Result<WrkFigures, String> {
    let mut command = Command::new("wrk");
    command
        .arg(format!("-t{}", MAX_THREADS.min(connections)))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{}s", duration.as_secs()))
        .arg("--latency");
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let limit = duration + Duration::from_secs(30);
    let output = tokio::time::timeout(limit, command.output())
        .await
        .map_err(|_| format!("wrk on {url} did not finish within {limit:?}"))?
        .map_err(|e| format!("cannot run wrk: {e} (run scripts/bench.sh, which installs it)"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "wrk on {url} failed ({}): {} {}",
            output.status,
            stdout.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    parse(&stdout).map_err(|why| format!("wrk on {url}: {why}; its output:\n{stdout}"))
}

/// Writes the session cookies (one a line, readable only by us) and a script that sends
/// each request with the next person's cookie, so the service looks up a different session
/// each time, as it would with many people. The ceiling gets the same script.
pub fn write_cookie_script(dir: &Path, cookies: &[String]) -> Result<PathBuf, String> {
    let cookie_file = dir.join("cookies.txt");
    write_private(&cookie_file, &(cookies.join("\n") + "\n"))?;
    let script = dir.join("cookies.lua");
    let quoted = lua_string(&cookie_file.to_string_lossy());
    write_private(
        &script,
        &format!(
            r#"-- Each request carries the session cookie of the next person, in rotation.
local cookie_file = {quoted}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local requests = {{}}
local i = 0

function init(args)
  for cookie in io.lines(cookie_file) do
    if cookie ~= "" then
      requests[#requests + 1] = wrk.format(nil, nil, {{ ["Cookie"] = "access_token=" .. cookie }})
    end
  end
  -- Threads start at different people.
  i = ((id or 0) * 7919) % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end
"#
        ),
    )?;
    Ok(script)
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::File::options()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn lua_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The figures of wrk's `--latency` report.
pub fn parse(output: &str) -> Result<WrkFigures, String> {
    let mut requests_per_second = None;
    let mut p50 = None;
    let mut p99 = None;
    let mut requests = None;
    let mut non_2xx_3xx = 0;
    let mut socket_errors = 0;
    for line in output.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            requests_per_second = rest.trim().parse::<f64>().ok();
        } else if let Some(rest) = line.strip_prefix("50%") {
            p50 = duration_ms(rest.trim());
        } else if let Some(rest) = line.strip_prefix("99%") {
            p99 = duration_ms(rest.trim());
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non_2xx_3xx = rest
                .trim()
                .parse()
                .map_err(|_| format!("unreadable line {line:?}"))?;
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect A, read B, write C, timeout D"
            socket_errors = rest
                .split(',')
                .map(|part| {
                    part.split_whitespace()
                        .last()
                        .and_then(|n| n.parse::<u64>().ok())
                        .ok_or_else(|| format!("unreadable line {line:?}"))
                })
                .sum::<Result<u64, String>>()?;
        } else if line.contains(" requests in ") {
            requests = line
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok());
        }
    }
    Ok(WrkFigures {
        requests_per_second: requests_per_second.ok_or("no Requests/sec line")?,
        p50_ms: p50.ok_or("no 50% latency line (was --latency passed?)")?,
        p99_ms: p99.ok_or("no 99% latency line (was --latency passed?)")?,
        requests: requests.ok_or("no \"N requests in\" line")?,
        non_2xx_3xx,
        socket_errors,
    })
}

/// wrk's durations ("250.00us", "1.20ms", "2.00s", "1.00m") in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.trim().parse().ok()?;
    let factor = match unit.trim() {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => return None,
    };
    Some(value * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 10s test @ http://127.0.0.1:8080/auth/me
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   635.91us    0.89ms  12.92ms   93.69%
    Req/Sec    56.20k     8.07k   62.00k    86.54%
  Latency Distribution
     50%  250.00us
     75%  491.00us
     90%    0.90ms
     99%    5.00ms
  1121936 requests in 10.10s, 114.36MB read
  Socket errors: connect 1, read 2, write 0, timeout 4
  Non-2xx or 3xx responses: 10
Requests/sec: 111099.31
Transfer/sec:     11.32MB
";

    #[test]
    fn reads_a_report() {
        let figures = parse(REPORT).expect("a whole report");
        assert!((figures.requests_per_second - 111_099.31).abs() < 1e-6);
        assert!((figures.p50_ms - 0.25).abs() < 1e-9);
        assert!((figures.p99_ms - 5.0).abs() < 1e-9);
        assert_eq!(figures.requests, 1_121_936);
        assert_eq!(figures.non_2xx_3xx, 10);
        assert_eq!(figures.socket_errors, 7);
        assert_eq!(figures.errors(), 17);
    }

    #[test]
    fn absent_error_lines_mean_none() {
        let clean: String = REPORT
            .lines()
            .filter(|l| !l.contains("errors") && !l.contains("Non-2xx"))
            .map(|l| format!("{l}\n"))
            .collect();
        let figures = parse(&clean).expect("a whole report");
        assert_eq!(figures.errors(), 0);
    }

    #[test]
    fn reads_every_unit() {
        assert_eq!(duration_ms("2.00s"), Some(2000.0));
        assert_eq!(duration_ms("1.50m"), Some(90_000.0));
        assert_eq!(duration_ms("12"), None);
    }
}
