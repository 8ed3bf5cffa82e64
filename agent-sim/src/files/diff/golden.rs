//! Test support for checking against corpora the Go implementation produced (go-udiff v0.4.1's
//! `lcs`, `Lines` and `ToUnified`, Go's `sort.Slice`, run with Go 1.19): the xorshift generator
//! both sides draw inputs from, and FNV-1a checksums of the results per group of cases (so a
//! mismatch names the group). The Go program drew the same inputs in the same order as each
//! corpus test's loop, called go-udiff (its `lcs.compute` for the LCS corpus) and hashed the same
//! result strings; Go's `sort` pdqsort is the same in 1.19 and in current Go.

/// xorshift64 (13, 7, 17), the generator the Go corpus program used.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `n` characters drawn from `alphabet`.
    pub fn string(&mut self, alphabet: &str, n: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..n).map(|_| chars[self.below(chars.len())]).collect()
    }
}

/// FNV-1a 64 of each group of `group` results, each result followed by a NUL byte.
pub fn group_checksums(results: &[String], group: usize) -> Vec<u64> {
    results
        .chunks(group)
        .map(|chunk| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for r in chunk {
                for &byte in r.as_bytes().iter().chain(&[0u8]) {
                    h ^= u64::from(byte);
                    h = h.wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
            h
        })
        .collect()
}

/// Asserts the checksums, naming the first group that differs.
pub fn assert_checksums(corpus: &str, got: &[u64], want: &[u64]) {
    assert_eq!(got.len(), want.len(), "{corpus}: group count");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g, w, "{corpus}: group {i} differs from Go");
    }
}
