//! Upstream's lcs tests (old_test.go, common_test.go) over characters, plus the exact subsequences
//! Go picks where several are longest, and a corpus checked against Go's results.

use super::{compute, fix, valid, Diag, Diff, Search};
use crate::files::diff::golden::{assert_checksums, group_checksums, Rng};

const ALL: [Search; 3] = [Search::Forward, Search::Backward, Search::TwoSided];

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// The characters of `a` the subsequence keeps.
fn kept(a: &[char], lcs: &[Diag]) -> String {
    lcs.iter()
        .flat_map(|d| a[d.x as usize..(d.x + d.len) as usize].iter())
        .collect()
}

/// Applies the diffs to `a` and checks the result is `b`.
fn check_diffs(a: &[char], diffs: &[Diff], b: &[char]) {
    let mut out = Vec::new();
    let mut at = 0;
    for d in diffs {
        out.extend_from_slice(&a[at..d.start]);
        out.extend_from_slice(&b[d.repl_start..d.repl_end]);
        at = d.end;
    }
    out.extend_from_slice(&a[at..]);
    assert_eq!(out, b, "diffs {diffs:?}");
}

fn lcs_len(lcs: &[Diag]) -> isize {
    lcs.iter().map(|d| d.len).sum()
}

/// Upstream's `Btests`: (a, b, the longest subsequences that are right, and what Go's forward,
/// backward and two-sided searches pick for (a, b) and for (b, a)).
type Btest = (
    &'static str,
    &'static str,
    &'static [&'static str],
    [(&'static str, &'static str); 3],
);

const BTESTS: &[Btest] = &[
    (
        "aaabab",
        "abaab",
        &["abab", "aaab"],
        [("aaab", "aaab"), ("abab", "abab"), ("aaab", "abab")],
    ),
    (
        "aabbba",
        "baaba",
        &["aaba"],
        [("aaba", "aaba"), ("aaba", "aaba"), ("aaba", "aaba")],
    ),
    (
        "cabbx",
        "cbabx",
        &["cabx", "cbbx"],
        [("cabx", "cabx"), ("cabx", "cbbx"), ("cabx", "cbbx")],
    ),
    ("c", "cb", &["c"], [("c", "c"), ("c", "c"), ("c", "c")]),
    ("aaba", "bbb", &["b"], [("b", "b"), ("b", "b"), ("b", "b")]),
    ("bbaabb", "b", &["b"], [("b", "b"), ("b", "b"), ("b", "b")]),
    (
        "baaabb",
        "bbaba",
        &["bbb", "baa", "bab"],
        [("baa", "bab"), ("bab", "bab"), ("baa", "baa")],
    ),
    (
        "baaabb",
        "abbab",
        &["abb", "bab", "aab"],
        [("bab", "abb"), ("bab", "abb"), ("bab", "abb")],
    ),
    (
        "baaba",
        "aaabba",
        &["aaba"],
        [("aaba", "aaba"), ("aaba", "aaba"), ("aaba", "aaba")],
    ),
    (
        "ca",
        "cba",
        &["ca"],
        [("ca", "ca"), ("ca", "ca"), ("ca", "ca")],
    ),
    (
        "ccbcbc",
        "abba",
        &["bb"],
        [("bb", "bb"), ("bb", "bb"), ("bb", "bb")],
    ),
    (
        "ccbcbc",
        "aabba",
        &["bb"],
        [("bb", "bb"), ("bb", "bb"), ("bb", "bb")],
    ),
    (
        "ccb",
        "cba",
        &["cb"],
        [("cb", "cb"), ("cb", "cb"), ("cb", "cb")],
    ),
    (
        "caef",
        "axe",
        &["ae"],
        [("ae", "ae"), ("ae", "ae"), ("ae", "ae")],
    ),
    (
        "bbaabb",
        "baabb",
        &["baabb"],
        [("baabb", "baabb"), ("baabb", "baabb"), ("baabb", "baabb")],
    ),
    (
        "abcabba",
        "cbabac",
        &["caba", "baba", "cbba"],
        [("baba", "caba"), ("baba", "cbba"), ("baba", "cbba")],
    ),
    (
        "3456aaa",
        "aaa",
        &["aaa"],
        [("aaa", "aaa"), ("aaa", "aaa"), ("aaa", "aaa")],
    ),
    (
        "aaa",
        "aaa123",
        &["aaa"],
        [("aaa", "aaa"), ("aaa", "aaa"), ("aaa", "aaa")],
    ),
    (
        "aabaa",
        "aacaa",
        &["aaaa"],
        [("aaaa", "aaaa"), ("aaaa", "aaaa"), ("aaaa", "aaaa")],
    ),
    ("1a", "a", &["a"], [("a", "a"), ("a", "a"), ("a", "a")]),
    (
        "abab",
        "bb",
        &["bb"],
        [("bb", "bb"), ("bb", "bb"), ("bb", "bb")],
    ),
    ("123", "ab", &[""], [("", ""), ("", ""), ("", "")]),
    ("a", "b", &[""], [("", ""), ("", ""), ("", "")]),
    ("abc", "123", &[""], [("", ""), ("", ""), ("", "")]),
    (
        "aa",
        "aa",
        &["aa"],
        [("aa", "aa"), ("aa", "aa"), ("aa", "aa")],
    ),
    ("abcde", "12345", &[""], [("", ""), ("", ""), ("", "")]),
    (
        "aaa3456",
        "aaa",
        &["aaa"],
        [("aaa", "aaa"), ("aaa", "aaa"), ("aaa", "aaa")],
    ),
    (
        "abcde",
        "12345a",
        &["a"],
        [("a", "a"), ("a", "a"), ("a", "a")],
    ),
    ("ab", "123", &[""], [("", ""), ("", ""), ("", "")]),
    ("1a2", "a", &["a"], [("a", "a"), ("a", "a"), ("a", "a")]),
    (
        "babaab",
        "cccaba",
        &["aba"],
        [("aba", "aba"), ("aba", "aba"), ("aba", "aba")],
    ),
    (
        "aabbab",
        "cbcabc",
        &["bab"],
        [("bab", "bab"), ("bab", "bab"), ("bab", "bab")],
    ),
    (
        "abaabb",
        "bcacab",
        &["baab"],
        [("baab", "baab"), ("baab", "baab"), ("baab", "baab")],
    ),
    (
        "abaabb",
        "abaaaa",
        &["abaa"],
        [("abaa", "abaa"), ("abaa", "abaa"), ("abaa", "abaa")],
    ),
    (
        "bababb",
        "baaabb",
        &["baabb"],
        [("baabb", "baabb"), ("baabb", "baabb"), ("baabb", "baabb")],
    ),
    (
        "abbbaa",
        "cabacc",
        &["aba"],
        [("aba", "aba"), ("aba", "aba"), ("aba", "aba")],
    ),
    (
        "aabbaa",
        "aacaba",
        &["aaaa", "aaba"],
        [("aaba", "aaba"), ("aaba", "aaba"), ("aaba", "aaaa")],
    ),
];

#[test]
fn btests_each_search_picks_what_go_picks() {
    for &(a, b, allowed, picks) in BTESTS {
        let (ca, cb) = (chars(a), chars(b));
        let limit = ca.len() + cb.len();
        for (search, (pick_ab, pick_ba)) in ALL.into_iter().zip(picks) {
            let (diffs, lcs) = compute(&ca, &cb, search, limit);
            assert!(valid(&lcs), "{a} {b} {search:?} {lcs:?}");
            assert!(
                allowed.contains(&kept(&ca, &lcs).as_str()),
                "{a} {b} {search:?}"
            );
            assert_eq!(kept(&ca, &lcs), pick_ab, "{a} {b} {search:?}");
            check_diffs(&ca, &diffs, &cb);
            let (diffs, lcs) = compute(&cb, &ca, search, limit);
            assert!(valid(&lcs), "{b} {a} {search:?} {lcs:?}");
            assert_eq!(kept(&cb, &lcs), pick_ba, "{b} {a} {search:?}");
            check_diffs(&cb, &diffs, &ca);
        }
    }
}

#[test]
fn btests_inside_longer_runs() {
    for &(a, b, allowed, _) in BTESTS {
        if a.len() < 2 || b.len() < 2 {
            continue;
        }
        let limit = a.len() + b.len();
        let (lfill, rfill) = ("AAAAAAAAAAAA", "BBBBBBBBBBBB");
        let pairs = [
            (format!("{a}{lfill}"), format!("{b}{rfill}")),
            (format!("{lfill}{a}"), format!("{rfill}{b}")),
        ];
        for (left, right) in pairs {
            let (l, r) = (chars(&left), chars(&right));
            for (x, y) in [(&l, &r), (&r, &l)] {
                let (diffs, lcs) = compute(x, y, Search::TwoSided, limit);
                assert!(valid(&lcs), "{left} {right}");
                assert!(allowed.contains(&kept(x, &lcs).as_str()), "{left} {right}");
                check_diffs(x, &diffs, y);
            }
        }
    }
}

#[test]
fn special_case_exercises_fix() {
    let a = chars("golang.org/x/tools/intern");
    let b = chars("github.com/google/safehtml/template\"\n\t\"golang.org/x/tools/intern");
    let (diffs, lcs) = compute(&a, &b, Search::TwoSided, 4);
    assert!(valid(&lcs), "{diffs:?} {lcs:?}");
}

/// Upstream's regression inputs: every limit gives a valid subsequence and diffs that work.
#[test]
fn regressions_hold_at_every_limit() {
    let cases = [
        (
            "// Copyright 2019 The Go Authors. All rights reserved.\n// Use of this source code is governed by a BSD-style\n// license that can be found in the LICENSE file.\n\npackage diff_test\n\nimport (\n\t\"fmt\"\n\t\"math/rand\"\n\t\"strings\"\n\t\"testing\"\n\n\t\"golang.org/x/tools/gopls/internal/lsp/diff\"\n\t\"github.com/aymanbagabas/go-udiff/difftest\"\n\t\"golang.org/x/tools/gopls/internal/span\"\n)\n",
            "// Copyright 2019 The Go Authors. All rights reserved.\n// Use of this source code is governed by a BSD-style\n// license that can be found in the LICENSE file.\n\npackage diff_test\n\nimport (\n\t\"fmt\"\n\t\"math/rand\"\n\t\"strings\"\n\t\"testing\"\n\n\t\"github.com/google/safehtml/template\"\n\t\"golang.org/x/tools/gopls/internal/lsp/diff\"\n\t\"github.com/aymanbagabas/go-udiff/difftest\"\n\t\"golang.org/x/tools/gopls/internal/span\"\n)\n",
        ),
        ("n\"\n)\n", "n\"\n\t\"golang.org/x//nnal/stack\"\n)\n"),
        (
            "golang.org/x/hello v1.0.0\nrequire golang.org/x/unused v1",
            "golang.org/x/hello v1",
        ),
    ];
    for (a, b) in cases {
        let (ca, cb) = (chars(a), chars(b));
        for limit in 1..=ca.len().max(cb.len()) {
            let (diffs, lcs) = compute(&ca, &cb, Search::TwoSided, limit);
            assert!(valid(&lcs), "limit {limit}: {lcs:?}");
            check_diffs(&ca, &diffs, &cb);
        }
    }
}

/// Upstream's `TestRandOld`: without a limit the three searches find equally long subsequences.
#[test]
fn searches_agree_on_length() {
    let mut rng = Rng(0x5EED);
    for _ in 0..1000 {
        let a = chars(&rng.string("abω", 16));
        let b = chars(&rng.string("abωc", 16));
        let lens: Vec<isize> = ALL
            .into_iter()
            .map(|s| {
                let (diffs, lcs) = compute(&a, &b, s, 0);
                assert!(valid(&lcs), "{s:?} {lcs:?}");
                check_diffs(&a, &diffs, &b);
                lcs_len(&lcs)
            })
            .collect();
        assert!(
            lens.windows(2).all(|w| w[0] == w[1]),
            "{a:?} {b:?} {lens:?}"
        );
    }
}

/// Upstream's `TestDiffAPI`, over bytes and over characters.
#[test]
fn diff_api_bytes_and_chars() {
    let one = |s, e, rs, re| Diff {
        start: s,
        end: e,
        repl_start: rs,
        repl_end: re,
    };
    assert_eq!(super::diff(b"abcXdef", b"abcxdef"), [one(3, 4, 3, 4)]);
    assert_eq!(
        super::diff("abcωdef".as_bytes(), "abcΩdef".as_bytes()),
        [one(3, 5, 3, 5)]
    );
    assert_eq!(
        super::diff(&chars("abcωdef"), &chars("abcΩdef")),
        [one(3, 4, 3, 4)]
    );
}

fn d(x: isize, y: isize, len: isize) -> Diag {
    Diag { x, y, len }
}

/// Upstream's `TestLcsFix` cases: (before, upstream's expected result, which it checks only
/// for count and total length, and the exact result Go gives).
type FixCase = (Vec<Diag>, Vec<Diag>, Vec<Diag>);

fn fix_cases() -> Vec<FixCase> {
    vec![
        (
            vec![d(0, 0, 3), d(2, 2, 5), d(3, 4, 5), d(8, 9, 4)],
            vec![d(0, 0, 2), d(2, 2, 1), d(3, 4, 5), d(8, 9, 4)],
            vec![d(0, 0, 2), d(2, 2, 5), d(7, 8, 1), d(8, 9, 4)],
        ),
        (
            vec![d(1, 1, 6), d(6, 12, 3)],
            vec![d(1, 1, 5), d(6, 12, 3)],
            vec![d(1, 1, 6), d(7, 13, 2)],
        ),
        (
            vec![d(0, 0, 4), d(3, 5, 4)],
            vec![d(0, 0, 3), d(3, 5, 4)],
            vec![d(0, 0, 4), d(4, 6, 3)],
        ),
        (
            vec![d(0, 20, 1), d(0, 0, 3), d(1, 20, 4)],
            vec![d(0, 0, 3), d(3, 22, 2)],
            vec![d(0, 0, 1), d(1, 20, 4)],
        ),
        (
            vec![d(0, 0, 4), d(1, 1, 2)],
            vec![d(0, 0, 4)],
            vec![d(0, 0, 4)],
        ),
        (vec![d(0, 0, 4)], vec![d(0, 0, 4)], vec![d(0, 0, 4)]),
        (vec![], vec![], vec![]),
        (
            vec![d(0, 0, 4), d(1, 1, 6), d(3, 3, 2)],
            vec![d(0, 0, 1), d(1, 1, 6)],
            vec![d(0, 0, 1), d(1, 1, 6)],
        ),
    ]
}

#[test]
fn fix_trims_overlaps() {
    for (before, upstream, go) in fix_cases() {
        let got = fix(before.clone());
        assert_eq!(got.len(), upstream.len(), "{before:?} -> {got:?}");
        assert_eq!(lcs_len(&got), lcs_len(&upstream), "{before:?} -> {got:?}");
        assert!(valid(&got), "{before:?} -> {got:?}");
        assert_eq!(got, go, "{before:?}");
    }
}

/// Checksums of Go's results (diffs and subsequence) for 3000 random pairs over 2 to 4 letters,
/// every search, small limits; every tenth pair 100 to 400 long with limits 5 to 54, so the
/// two-sided search often gives up and repairs overlapping partial answers.
const GO_CORPUS: &[u64] = &[
    0x05130e322ff3b5b2,
    0x26baa1e5aed41b29,
    0x0b81493b433ab58e,
    0xd651ef42a280c79e,
    0x0aaeec901a2009d3,
    0x8620edfebe48f981,
    0x39cad2bf80af81b8,
    0x2ba4c8f15a2e277d,
    0x138ef7a6c2a2f31d,
    0x3cd731f6fc7b661b,
    0x68a9ca605539ceb5,
    0x8737cf6d8c255102,
    0x351bf712e68ff7d0,
    0xfb7b2b715ea478b2,
    0x95ab90533332568f,
    0x01285271462f6b6b,
    0x8a1da35a72793757,
    0xf1d0e79b24c39281,
    0xfb3baa64c5e1ef19,
    0xfa2c962b708cd9aa,
    0x1bbd3e1818666ae0,
    0x36c765c949ee11d7,
    0x13abe9b42f460ec1,
    0x44ea852d266c7db8,
    0x1c2a18d7cc45a0b5,
    0x0e11cd32b5ab03f6,
    0x067d0f8cb1c32434,
    0xb051386a74c2a688,
    0x1f89df61984c0857,
    0xfb2038a5e03f9ba1,
];

#[test]
fn corpus_matches_go() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut results = Vec::new();
    for case in 0..3000 {
        let alphabet = ["ab", "abc", "abcd", "aab"][rng.below(4)];
        let big = case % 10 == 0;
        let (mut na, mut nb) = (rng.below(24), rng.below(24));
        if big {
            (na, nb) = (100 + rng.below(300), 100 + rng.below(300));
        }
        let (a, b) = (
            chars(&rng.string(alphabet, na)),
            chars(&rng.string(alphabet, nb)),
        );
        let mut limit = 1 + rng.below(12);
        if big {
            limit = 5 + rng.below(50);
        }
        let search = [
            Search::Forward,
            Search::Backward,
            Search::TwoSided,
            Search::TwoSided,
        ][rng.below(4)];
        let (diffs, lcs) = compute(&a, &b, search, limit);
        let mut line: String = diffs
            .iter()
            .map(|d| format!("{},{},{},{} ", d.start, d.end, d.repl_start, d.repl_end))
            .collect();
        line.push(';');
        line.extend(lcs.iter().map(|d| format!("{},{},{} ", d.x, d.y, d.len)));
        results.push(line);
    }
    assert_checksums("lcs", &group_checksums(&results, 100), GO_CORPUS);
}
