//! Random codes and token values, from the operating system's generator.

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn bytes(count: usize) -> Vec<u8> {
    let mut buf = vec![0_u8; count];
    // Without randomness the stand-in could only hand out guessable secrets; a test double
    // that cannot do its job should stop loudly rather than limp on.
    getrandom::fill(&mut buf).expect("the operating system's random generator failed");
    buf
}

/// `count` lowercase hex characters (`count` even), like GitHub's authorization codes and
/// GitLab's codes and tokens.
pub fn hex(count: usize) -> String {
    bytes(count / 2)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `count` characters from `[A-Za-z0-9]`, like the body of GitHub's token values.
pub fn alphanumeric(count: usize) -> String {
    let mut out = String::with_capacity(count);
    while out.len() < count {
        // 248 = 4 * 62: rejecting larger bytes keeps every character equally likely.
        for b in bytes(count) {
            if b < 248 && out.len() < count {
                out.push(char::from(ALPHANUMERIC[usize::from(b % 62)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn lengths_and_alphabets() {
        let code = super::hex(20);
        assert_eq!(code.len(), 20);
        assert!(
            code.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(super::hex(64), super::hex(64));
        let token = super::alphanumeric(36);
        assert_eq!(token.len(), 36);
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
