//! A process's memory, as the kernel accounts it: resident now (`VmRSS`) and the most it
//! was ever resident (`VmHWM`, the high-water mark), so the peak under load needs no
//! sampling.

/// `VmRSS` of `pid`, in bytes.
pub fn resident(pid: u32) -> Result<u64, String> {
    field(pid, "VmRSS")
}

/// `VmHWM` of `pid`, in bytes.
pub fn peak(pid: u32) -> Result<u64, String> {
    field(pid, "VmHWM")
}

fn field(pid: u32, name: &str) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {path} (did the process exit?): {e}"))?;
    parse_kib(&status, name)
        .map(|kib| kib * 1024)
        .ok_or_else(|| format!("{path} has no {name} line"))
}

fn parse_kib(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// Bytes as MiB, for the report.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_kib_fields() {
        let status = "Name:\tnectr-auth\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n";
        assert_eq!(super::parse_kib(status, "VmRSS"), Some(10240));
        assert_eq!(super::parse_kib(status, "VmHWM"), Some(20480));
        assert_eq!(super::parse_kib(status, "VmSwap"), None);
    }

    #[test]
    fn reads_our_own_memory() {
        assert!(super::resident(std::process::id()).expect("our own status") > 0);
    }
}
