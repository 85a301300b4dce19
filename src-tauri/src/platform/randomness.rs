//! Random bytes from the system's generator, for what the rules need fresh each time (a
//! confirmation token, a password check's salt, a new profile's id): the rules take them as
//! arguments and stay deterministic themselves.

use rand::RngCore;

/// `N` bytes from the operating system's random source (through `rand`'s thread generator,
/// seeded from it).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_draws_differ() {
        assert_ne!(super::random_bytes::<32>(), super::random_bytes::<32>(), "fresh each time");
    }
}
