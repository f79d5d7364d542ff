//! A simulated bad network for tests and benchmarks: seeded faults on a simulated clock.
