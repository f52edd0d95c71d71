//! Helpers shared by the unit tests.

/// A xorshift64 generator: deterministic pseudo-random numbers for property tests, without a
/// dependency. The same seed always gives the same sequence.
#[derive(Debug, Clone)]
pub(crate) struct XorShift(u64);

impl XorShift {
    /// A generator from `seed` (0, which xorshift cannot leave, is taken as 1).
    pub(crate) fn new(seed: u64) -> Self {
        XorShift(seed.max(1))
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..limit` (`limit` positive).
    pub(crate) fn below(&mut self, limit: i32) -> i32 {
        (self.next_u64() % limit as u64) as i32
    }

    /// A number in `0.0..1.0`, in steps of 1/10,000.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() % 10_000) as f64 / 10_000.0
    }
}
