//! Which seeds a randomized test runs, and how to replay one.

/// The environment variable that pins [`seeds`] to one seed, to replay a failing run.
pub const SEED_VAR: &str = "WANGGE_SIM_SEED";

/// The seeds a randomized test should run: only the one in `WANGGE_SIM_SEED` when it is set
/// (decimal, or hexadecimal with `0x`), otherwise `0..count`. A value that does not parse is
/// ignored, so check the seed in the test output when replaying.
pub fn seeds(count: u64) -> Vec<u64> {
    match std::env::var(SEED_VAR).ok().as_deref().and_then(parse) {
        Some(seed) => vec![seed],
        None => (0..count).collect(),
    }
}

/// Parses a seed written in decimal or as `0x…` hexadecimal.
fn parse(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
