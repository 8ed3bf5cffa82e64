//! The unified rendering: the spec's examples, upstream's difftest cases and repeated-line
//! alignments with the output Go's go-udiff gives, and a corpus checked against Go.

use super::golden::{assert_checksums, group_checksums, Rng};
use super::unified;

#[test]
fn spec_examples() {
    assert_eq!(
        unified("/tmp/diff-single", "hello world\n", "HELLO world\n"),
        "--- /tmp/diff-single\n+++ /tmp/diff-single\n@@ -1 +1 @@\n-hello world\n+HELLO world\n"
    );
    assert_eq!(
        unified("/p", "one\ntwo\nthree\n", "ONE\ntwo\nTHREE\n"),
        "--- /p\n+++ /p\n@@ -1,3 +1,3 @@\n-one\n+ONE\n two\n-three\n+THREE\n"
    );
    assert_eq!(unified("/p", "same\n", "same\n"), "");
    assert_eq!(
        unified("/p", "", "a\n"),
        "--- /p\n+++ /p\n@@ -0,0 +1 @@\n+a\n"
    );
    assert_eq!(
        unified("/p", "a", "b"),
        "--- /p\n+++ /p\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n"
    );
}

#[test]
fn distant_changes_make_two_hunks() {
    let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
    let new: String = (1..=20)
        .map(|i| match i {
            2 => "two\n".to_string(),
            18 => "eighteen\n".to_string(),
            i => format!("{i}\n"),
        })
        .collect();
    let d = unified("/p", &old, &new);
    assert!(d.contains("@@ -1,5 +1,5 @@\n"), "{d}");
    assert!(d.contains("@@ -15,6 +15,6 @@\n"), "{d}");
}

/// Upstream's difftest cases (go-udiff `difftest.TestCases`) through `Lines` + `ToUnified`
/// labelled `/p`, with what Go prints for each (also for the cases upstream marks as printing
/// differently from its hand-written edits: `delete_front`, `multiple_replace`).
const DIFFTEST: &[(&str, &str, &str, &str)] = &[
    ("empty", "", "", ""),
    ("no_diff", "gargantuan\n", "gargantuan\n", ""),
    ("replace_all", "fruit\n", "cheese\n", "--- /p\n+++ /p\n@@ -1 +1 @@\n-fruit\n+cheese\n"),
    ("insert_rune", "gord\n", "gourd\n", "--- /p\n+++ /p\n@@ -1 +1 @@\n-gord\n+gourd\n"),
    ("delete_rune", "groat\n", "goat\n", "--- /p\n+++ /p\n@@ -1 +1 @@\n-groat\n+goat\n"),
    ("replace_rune", "loud\n", "lord\n", "--- /p\n+++ /p\n@@ -1 +1 @@\n-loud\n+lord\n"),
    ("replace_partials", "blanket\n", "bunker\n", "--- /p\n+++ /p\n@@ -1 +1 @@\n-blanket\n+bunker\n"),
    ("insert_line", "1: one\n3: three\n", "1: one\n2: two\n3: three\n", "--- /p\n+++ /p\n@@ -1,2 +1,3 @@\n 1: one\n+2: two\n 3: three\n"),
    ("replace_no_newline", "A", "B", "--- /p\n+++ /p\n@@ -1 +1 @@\n-A\n\\ No newline at end of file\n+B\n\\ No newline at end of file\n"),
    ("delete_empty", "meow", "", "--- /p\n+++ /p\n@@ -1 +0,0 @@\n-meow\n\\ No newline at end of file\n"),
    ("append_empty", "", "AB\nC", "--- /p\n+++ /p\n@@ -0,0 +1,2 @@\n+AB\n+C\n\\ No newline at end of file\n"),
    ("add_end", "A", "AB", "--- /p\n+++ /p\n@@ -1 +1 @@\n-A\n\\ No newline at end of file\n+AB\n\\ No newline at end of file\n"),
    ("add_newline", "A", "A\n", "--- /p\n+++ /p\n@@ -1 +1 @@\n-A\n\\ No newline at end of file\n+A\n"),
    ("delete_front", "A\nB\nC\nA\nB\nB\nA\n", "C\nB\nA\nB\nA\nC\n", "--- /p\n+++ /p\n@@ -1,7 +1,6 @@\n-A\n+C\n B\n-C\n A\n-B\n B\n A\n+C\n"),
    ("replace_last_line", "A\nB\n", "A\nC\n\n", "--- /p\n+++ /p\n@@ -1,2 +1,3 @@\n A\n-B\n+C\n+\n"),
    ("multiple_replace", "A\nB\nC\nD\nE\nF\nG\n", "A\nH\nI\nJ\nE\nF\nK\n", "--- /p\n+++ /p\n@@ -1,7 +1,7 @@\n A\n-B\n-C\n-D\n+H\n+I\n+J\n E\n F\n-G\n+K\n"),
    ("extra_newline", "\nA\n", "A\n", "--- /p\n+++ /p\n@@ -1,2 +1 @@\n-\n A\n"),
    ("unified_lines", "aaa\nccc\n", "aaa\nbbb\nccc\n", "--- /p\n+++ /p\n@@ -1,2 +1,3 @@\n aaa\n+bbb\n ccc\n"),
    ("60379", "package a\n\ntype S struct {\ns fmt.Stringer\n}\n", "package a\n\ntype S struct {\n\ts fmt.Stringer\n}\n", "--- /p\n+++ /p\n@@ -1,5 +1,5 @@\n package a\n \n type S struct {\n-s fmt.Stringer\n+\ts fmt.Stringer\n }\n"),
];

#[test]
fn difftest_cases_print_as_go() {
    for &(name, old, new, want) in DIFFTEST {
        assert_eq!(unified("/p", old, new), want, "{name}");
    }
}

/// Texts with repeated lines, where several alignments are equally short: which line is kept
/// and which is inserted or deleted is the one Go's LCS picks.
const REPEATED_LINES: &[(&str, &str, &str)] = &[
    (
        "a\nb\na\nb\n",
        "b\na\nb\na\n",
        "--- /p\n+++ /p\n@@ -1,4 +1,4 @@\n+b\n a\n b\n a\n-b\n",
    ),
    (
        "x\n}\n}\n",
        "x\n}\ny\n}\n}\n",
        "--- /p\n+++ /p\n@@ -1,3 +1,5 @@\n x\n }\n+y\n }\n+}\n",
    ),
    ("a\na\na\n", "a\na\n", "--- /p\n+++ /p\n@@ -1,3 +1,2 @@\n-a\n a\n a\n"),
    (
        "func a() {\n\treturn\n}\n",
        "func a() {\n\treturn\n}\n\nfunc b() {\n\treturn\n}\n",
        "--- /p\n+++ /p\n@@ -1,3 +1,7 @@\n func a() {\n \treturn\n }\n+\n+func b() {\n+\treturn\n+}\n",
    ),
    (
        "a\n\n\nb\n\n\nc\n",
        "a\n\nb\n\n\n\nc\n",
        "--- /p\n+++ /p\n@@ -1,7 +1,7 @@\n a\n \n+b\n \n-b\n \n \n c\n",
    ),
    (
        "if x {\n}\nif y {\n}\n",
        "if x {\n}\nif z {\n}\nif y {\n}\n",
        "--- /p\n+++ /p\n@@ -1,4 +1,6 @@\n if x {\n+}\n+if z {\n }\n if y {\n }\n",
    ),
    (
        "1\n2\n1\n2\n1\n2\n",
        "2\n1\n2\n1\n",
        "--- /p\n+++ /p\n@@ -1,6 +1,4 @@\n-1\n 2\n 1\n 2\n 1\n-2\n",
    ),
];

#[test]
fn repeated_lines_align_as_go() {
    for &(old, new, want) in REPEATED_LINES {
        assert_eq!(unified("/p", old, new), want, "{old:?} -> {new:?}");
    }
}

/// Checksums of Go's `ToUnified("/p", "/p", old, Lines(old, new), 3)` for 1500 random texts of
/// a few repeated lines (one without a newline), with lines replaced and dropped; every 15th
/// text 150 to 500 lines long, enough changes for the search to hit its limit.
const GO_CORPUS: &[u64] = &[
    0x68caa2d20fbee5fe,
    0x252b55070381991c,
    0xd08408926fb19845,
    0xf83df8a00760d03a,
    0x9370af03c71455a0,
    0x33327a4f01901849,
    0x6bd5c671c85e94dd,
    0xe145c1b5679752bd,
    0x49c3235560a6c52f,
    0x8a7d6902bec9bec5,
    0xb51f332735cd27d3,
    0x6378fbfdbae6d515,
    0x2557a7ff22614cd5,
    0x93dc3a1745e9eda9,
    0xf250e1de067dd127,
];

#[test]
fn corpus_matches_go() {
    let vocab = ["a\n", "b\n", "c\n", "}\n", "\n", "x", "  return\n"];
    let mut rng = Rng(0x1234_5678_8765_4321);
    let mut results = Vec::new();
    for case in 0..1500 {
        let mut n = rng.below(30);
        if case % 15 == 0 {
            n = 150 + rng.below(350);
        }
        let old: String = (0..n).map(|_| vocab[rng.below(vocab.len())]).collect();
        let rate = 2 + rng.below(6);
        let mut new = String::new();
        for line in go_split_after(&old) {
            match rng.below(rate) {
                0 => new.push_str(vocab[rng.below(vocab.len())]),
                1 => {}
                _ => new.push_str(line),
            }
        }
        results.push(unified("/p", &old, &new));
    }
    assert_checksums("unified", &group_checksums(&results, 100), GO_CORPUS);
}

/// Go's `strings.SplitAfter(s, "\n")`: a final empty piece after a trailing newline (or for "").
fn go_split_after(s: &str) -> Vec<&str> {
    let mut pieces: Vec<&str> = s.split_inclusive('\n').collect();
    if s.is_empty() || s.ends_with('\n') {
        pieces.push("");
    }
    pieces
}
