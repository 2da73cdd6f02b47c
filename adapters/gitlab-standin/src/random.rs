//! Random codes and token values, from the operating system's generator.

fn bytes(count: usize) -> Vec<u8> {
    let mut buf = vec![0_u8; count];
    // Without randomness the stand-in could only hand out guessable secrets; a test double
    // that cannot do its job should stop loudly rather than limp on.
    getrandom::fill(&mut buf).expect("the operating system's random generator failed");
    buf
}

/// `count` lowercase hex characters (`count` even), like GitLab's codes and OAuth tokens.
pub(crate) fn hex(count: usize) -> String {
    bytes(count / 2)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn lowercase_hex_of_the_asked_length() {
        let value = super::hex(64);
        assert_eq!(value.len(), 64);
        assert!(
            value
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(value, super::hex(64));
    }
}
