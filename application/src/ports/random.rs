//! The randomness port.

/// A source of unguessable tokens.
pub trait RandomSource: Send + Sync + 'static {
    /// 256 bits from the operating system's generator, as 43 characters of unpadded base64url.
    /// Implementations must not fall back to a weaker generator: panicking is preferable.
    /// The use cases rely on the format and panic on anything else, which only a broken
    /// adapter can cause, never a request.
    fn token(&self) -> String;
}
