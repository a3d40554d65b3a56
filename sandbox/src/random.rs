//! Unguessable values: access tokens, the admin token, journey tokens, subscription and event
//! ids. They come from the operating system's CSPRNG (`getrandom`), since a token or a journey
//! link that can be predicted lets anyone act for a merchant or a buyer.

use uuid::Uuid;

/// The operating system gave no random bytes (no entropy source: a broken sandboxed process).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the operating system's random number generator failed")]
pub(crate) struct NoRandomness;

/// `N` bytes from the operating system's CSPRNG.
pub(crate) fn bytes<const N: usize>() -> Result<[u8; N], NoRandomness> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| NoRandomness)?;
    Ok(bytes)
}

/// A random (version 4) UUID.
pub(crate) fn uuid() -> Result<Uuid, NoRandomness> {
    Ok(uuid::Builder::from_random_bytes(bytes()?).into_uuid())
}

/// A 256-bit token as 64 hexadecimal digits, behind `prefix`.
pub(crate) fn token(prefix: &str) -> Result<String, NoRandomness> {
    Ok(format!("{prefix}{}", hex::encode(bytes::<32>()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_fresh_and_well_formed() {
        let (a, b) = (token("t_").expect("random"), token("t_").expect("random"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 2 + 64);
        assert!(a[2..].bytes().all(|c| c.is_ascii_hexdigit()));
        let id = uuid().expect("random");
        assert_eq!(id.get_version_num(), 4);
        assert_ne!(id, uuid().expect("random"));
    }
}
