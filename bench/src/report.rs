//! The figures, as a markdown report for people and as JSON for tools.

use std::fmt::Write as _;

use serde::Serialize;

use crate::ceiling::AnswerSizes;
use crate::machine::Machine;
use crate::metrics::Breakdown;
use crate::wrk::WrkFigures;

#[derive(Debug, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub settings: SettingsUsed,
    pub databases: Vec<DatabaseReport>,
}

#[derive(Debug, Serialize)]
pub struct SettingsUsed {
    pub server_binary: String,
    pub users: u32,
    pub connections: u32,
    pub wrk_threads: u32,
    pub duration_seconds: u64,
    pub rounds: u32,
    /// Raised for the benchmark (the default is 30).
    pub login_rate_limit_per_minute: u64,
    /// Raised for the benchmark (the default is 50 000).
    pub max_live_oauth_states: u64,
    pub log_level: String,
}

#[derive(Debug, Serialize)]
pub struct DatabaseReport {
    pub database: String,
    /// Why this database's run stopped, if it did.
    pub error: Option<String>,
    pub results: Option<DatabaseResults>,
}

#[derive(Debug, Serialize)]
pub struct DatabaseResults {
    /// What the ceiling's answers were sized to.
    pub answer_sizes: AnswerSizes,
    /// The smallest and largest `/auth/me` answer of the people signed in.
    pub me_answer_range: (usize, usize),
    pub memory: Memory,
    pub loads: Vec<LoadReport>,
    pub sign_ins: SignInReport,
}

#[derive(Debug, Serialize)]
pub struct Memory {
    pub service_idle_mib: f64,
    pub service_peak_mib: f64,
    pub ceiling_idle_mib: f64,
    pub ceiling_peak_mib: f64,
}

#[derive(Debug, Serialize)]
pub struct LoadReport {
    pub name: String,
    /// 1-based.
    pub median_round: usize,
    pub ceiling: WrkFigures,
    pub service: WrkFigures,
    /// Service requests/s ÷ ceiling requests/s, same round.
    pub rps_ratio: f64,
    /// Service p99 ÷ ceiling p99, same round.
    pub p99_ratio: f64,
    pub rounds: Vec<RoundPair>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundPair {
    pub ceiling: WrkFigures,
    pub service: WrkFigures,
}

impl RoundPair {
    pub fn rps_ratio(&self) -> f64 {
        ratio(
            self.service.requests_per_second,
            self.ceiling.requests_per_second,
        )
    }

    pub fn p99_ratio(&self) -> f64 {
        ratio(self.service.p99_ms, self.ceiling.p99_ms)
    }
}

#[derive(Debug, Serialize)]
pub struct SignInReport {
    /// 1-based.
    pub median_round: usize,
    pub median: SignInFigures,
    pub rounds: Vec<SignInFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignInFigures {
    pub sign_ins_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub completed: usize,
    pub failed: usize,
    pub first_failures: Vec<String>,
    /// Sign-ins/s ÷ the ceiling's `/me` requests/s in the same round.
    pub ratio_to_ceiling_me_rps: f64,
    pub breakdown: Option<Breakdown>,
    /// CPU per sign-in by party.
    pub cpu: Option<crate::cpu::PerSignIn>,
}

pub fn ratio(value: f64, of: f64) -> f64 {
    if of > 0.0 { value / of } else { f64::NAN }
}

impl Report {
    /// Whether every database ran and nothing answered with an error.
    pub fn clean(&self) -> bool {
        self.databases.iter().all(|d| {
            d.error.is_none()
                && d.results.as_ref().is_some_and(|r| {
                    r.loads.iter().all(|l| {
                        l.rounds
                            .iter()
                            .all(|p| p.service.errors() == 0 && p.ceiling.errors() == 0)
                    }) && r.sign_ins.rounds.iter().all(|s| s.failed == 0)
                })
        })
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let s = &self.settings;
        let _ = writeln!(out, "# nectr-auth load benchmark\n");
        let _ = writeln!(
            out,
            "Machine: {} CPUs ({}), Linux {}, {}; load average at the start {}.\n",
            m.cpus, m.cpu_model, m.kernel, m.date, m.load_average
        );
        let _ = writeln!(out, "Settings:\n");
        let _ = writeln!(
            out,
            "- Service: `{}`, one worker per CPU, log level the default (`info`), to a file; \
             every setting not named here at its default.",
            s.server_binary
        );
        let _ = writeln!(
            out,
            "- **Rate limits raised for the benchmark** (all load comes from one address, \
             127.0.0.1): `LOGIN_RATE_LIMIT_PER_MINUTE={}` (default 30) and \
             `MAX_LIVE_OAUTH_STATES={}` (default 50000).",
            s.login_rate_limit_per_minute, s.max_live_oauth_states
        );
        let _ = writeln!(
            out,
            "- Load: `wrk -t{} -c{} -d{}s --latency`; `/auth/me` requests carry the session \
             cookies of {} distinct people, signed in beforehand, in rotation; each \
             `/auth/github` request starts a new sign-in (a state row).",
            s.wrk_threads, s.connections, s.duration_seconds, s.users
        );
        let _ = writeln!(
            out,
            "- Ceiling: `bench-ceiling`, a bare actix-web server (no middleware, same worker \
             count) whose answers have exactly as many bytes as the service's; loaded with the \
             same requests, interleaved with the service (ceiling, then service, for each load, \
             in each of {} rounds). The median round is shown; ratios are to the ceiling of \
             the same round.",
            s.rounds
        );
        let _ = writeln!(
            out,
            "- Whole sign-ins: {} at once for {} s per round, each a new person: \
             `/auth/github` → the GitHub stand-in's page → its form → the callback → \
             302 to the dashboard with a session cookie. The stand-in runs in the driver's \
             process on the same machine.\n",
            s.connections, s.duration_seconds
        );
        for database in &self.databases {
            database.markdown(&mut out);
        }
        let verdict = if self.clean() {
            "**Errors: none.**"
        } else {
            "**Errors: some — see above (every figure must be error-free).**"
        };
        let _ = writeln!(out, "{verdict}");
        out
    }
}

impl DatabaseReport {
    fn markdown(&self, out: &mut String) {
        let _ = writeln!(out, "## {}\n", self.database);
        if let Some(error) = &self.error {
            let _ = writeln!(out, "**Failed:** {error}\n");
        }
        let Some(r) = &self.results else { return };
        let _ = writeln!(
            out,
            "| load | server | requests/s | p50 | p99 | errors | ÷ ceiling (requests/s) | p99 ÷ ceiling p99 |"
        );
        let _ = writeln!(
            out,
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        for load in &r.loads {
            let row = |out: &mut String, who: &str, f: &WrkFigures, ratios: Option<(f64, f64)>| {
                let (rps, p99) = match ratios {
                    Some((rps, p99)) => (format!("{rps:.3}"), format!("{p99:.2}")),
                    None => (String::new(), String::new()),
                };
                let _ = writeln!(
                    out,
                    "| {} | {who} | {:.0} | {} | {} | {} | {rps} | {p99} |",
                    load.name,
                    f.requests_per_second,
                    ms(f.p50_ms),
                    ms(f.p99_ms),
                    errors(f),
                );
            };
            row(out, "ceiling", &load.ceiling, None);
            row(
                out,
                "nectr-auth",
                &load.service,
                Some((load.rps_ratio, load.p99_ratio)),
            );
        }
        let _ = writeln!(out);
        for load in &r.loads {
            let each: Vec<String> = load
                .rounds
                .iter()
                .map(|p| {
                    format!(
                        "{:.0} ÷ {:.0} = {:.3}",
                        p.service.requests_per_second,
                        p.ceiling.requests_per_second,
                        p.rps_ratio()
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "- {} by round (service ÷ ceiling requests/s; median: round {}): {}",
                load.name,
                load.median_round,
                each.join("; ")
            );
        }
        let _ = writeln!(
            out,
            "- Answer sizes on the wire (status line, headers, body; the ceiling's are the \
             same): `/auth/me` {} bytes (the people's answers range {}–{}), `/auth/github` {} bytes.",
            r.answer_sizes.me, r.me_answer_range.0, r.me_answer_range.1, r.answer_sizes.github
        );
        let mem = &r.memory;
        let _ = writeln!(
            out,
            "- Memory (resident): nectr-auth idle {:.1} MiB (started and ready, before any \
             request), peak {:.1} MiB (after all its loads); the ceiling idle {:.1} MiB, peak \
             {:.1} MiB (peak ratio {:.2}).\n",
            mem.service_idle_mib,
            mem.service_peak_mib,
            mem.ceiling_idle_mib,
            mem.ceiling_peak_mib,
            ratio(mem.service_peak_mib, mem.ceiling_peak_mib)
        );

        let s = &r.sign_ins;
        let f = &s.median;
        let _ = writeln!(
            out,
            "Whole sign-ins (median round {} of {}):\n",
            s.median_round,
            s.rounds.len()
        );
        let _ = writeln!(
            out,
            "| sign-ins/s | p50 | p99 | completed | failures | ÷ ceiling `/me` requests/s |"
        );
        let _ = writeln!(out, "| ---: | ---: | ---: | ---: | ---: | ---: |");
        let _ = writeln!(
            out,
            "| {:.1} | {} | {} | {} | {} | {:.4} |\n",
            f.sign_ins_per_second,
            ms(f.p50_ms),
            ms(f.p99_ms),
            f.completed,
            if f.failed == 0 {
                "0".to_owned()
            } else {
                format!("**{}**", f.failed)
            },
            f.ratio_to_ceiling_me_rps
        );
        let each: Vec<String> = s
            .rounds
            .iter()
            .map(|r| {
                let parts = r.breakdown.as_ref().map_or(String::new(), |b| {
                    let github: f64 = b.github.iter().map(|c| c.ms_per_callback).sum();
                    format!(
                        ", callback {:.1} ms (GitHub {github:.1}, ours {:.1})",
                        b.callback_ms, b.ours_ms
                    )
                });
                format!(
                    "{:.1}/s, {} failures{parts}",
                    r.sign_ins_per_second, r.failed
                )
            })
            .collect();
        let _ = writeln!(out, "- By round: {}", each.join("; "));
        for failure in s.rounds.iter().flat_map(|r| &r.first_failures).take(5) {
            let _ = writeln!(out, "- A failed sign-in: {failure}");
        }
        let _ = writeln!(out);
        match &f.breakdown {
            Some(b) => {
                let _ = writeln!(
                    out,
                    "Where a callback's time went (mean per callback, from the service's \
                     `/metrics`, {} callbacks of the median round):\n",
                    b.callbacks
                );
                let _ = writeln!(out, "| part | ms | share |");
                let _ = writeln!(out, "| --- | ---: | ---: |");
                let share = |part: f64| 100.0 * ratio(part, b.callback_ms);
                let _ = writeln!(
                    out,
                    "| whole `/auth/github/callback` | {:.2} | 100% |",
                    b.callback_ms
                );
                for call in &b.github {
                    let _ = writeln!(
                        out,
                        "| GitHub `{}` ({:.2} calls per callback) | {:.2} | {:.0}% |",
                        call.call,
                        call.calls as f64 / b.callbacks as f64,
                        call.ms_per_callback,
                        share(call.ms_per_callback)
                    );
                }
                let _ = writeln!(
                    out,
                    "| ours: database, crypto, waiting for a CPU | {:.2} | {:.0}% |\n",
                    b.ours_ms,
                    share(b.ours_ms)
                );
            }
            None => {
                let _ = writeln!(out, "(No callback was counted in `/metrics`.)\n");
            }
        }
        if let Some(cpu) = &f.cpu {
            let _ = writeln!(
                out,
                "CPU per whole sign-in (median round, from `/proc`): nectr-auth {:.3} ms, \
                 PostgreSQL {:.3} ms, the driver with the GitHub stand-in {:.3} ms.\n",
                cpu.service_ms, cpu.postgres_ms, cpu.driver_and_github_ms
            );
        }
    }
}

fn ms(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2} ms")
    } else {
        format!("{value:.1} ms")
    }
}

fn errors(f: &WrkFigures) -> String {
    if f.errors() == 0 {
        "0".to_owned()
    } else {
        format!(
            "**{}** ({} non-2xx/3xx, {} socket)",
            f.errors(),
            f.non_2xx_3xx,
            f.socket_errors
        )
    }
}
