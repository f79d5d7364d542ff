//! Random draws that cannot panic, whatever the fault settings.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// True with probability `p` (always for `p >= 1`, never for `p <= 0` or NaN). Always
/// consumes one draw, so the stream does not depend on `p`.
pub(super) fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// A uniform index in `0..len`, or 0 if `len` is 0 (then nothing is drawn). Drawn as `u64`
/// so the result does not depend on the platform's pointer width.
pub(super) fn index(rng: &mut ChaCha8Rng, len: usize) -> usize {
    let len = u64::try_from(len).unwrap_or(u64::MAX);
    if len == 0 {
        return 0;
    }
    usize::try_from(rng.random_range(0..len)).unwrap_or(0)
}

/// A uniform value in the inclusive range between `a` and `b` (either order).
pub(super) fn between(rng: &mut ChaCha8Rng, a: u64, b: u64) -> u64 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    if lo == hi {
        return lo;
    }
    rng.random_range(lo..=hi)
}

/// A non-zero byte to XOR into a corrupted byte, so that it always changes.
pub(super) fn flip(rng: &mut ChaCha8Rng) -> u8 {
    rng.random_range(1..=u8::MAX)
}
