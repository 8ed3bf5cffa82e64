//! The upstream `headtail_test.go` cases, the worked examples of `processes.md` §5.6, and a
//! proptest against a whole-stream reference model.

use super::*;
use proptest::prelude::*;
use std::sync::Arc;

fn text(b: &HeadTailBuffer) -> String {
    String::from_utf8(b.output().text).unwrap()
}

fn info(b: &HeadTailBuffer) -> Option<Truncation> {
    b.output().truncation
}

fn trunc(orig: u64, ret: u64, omit: u64) -> Option<Truncation> {
    Some(Truncation {
        original_bytes: orig,
        retained_bytes: ret,
        omitted_bytes: omit,
        strategy: "head_tail",
    })
}

fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

#[test]
fn constants_match_upstream() {
    assert_eq!(MAX_HEAD_BYTES, 16384);
    assert_eq!(MAX_TAIL_BYTES, 16384);
    assert_eq!(MAX_LINE_LENGTH, 2048);
    assert_eq!(LINE_TRUNCATION_SUFFIX, " ... [truncated]");
    assert_eq!(LINE_TRUNCATION_SUFFIX.len(), 16);
}

// 1
#[test]
fn empty_buffer() {
    let b = HeadTailBuffer::new();
    assert_eq!(text(&b), "");
    assert_eq!(info(&b), None);
    assert_eq!(b.len(), 0);
    assert_eq!(b.total_written(), 0);
    assert!(b.bytes().is_empty());
}

// 2
#[test]
fn small_output() {
    let b = HeadTailBuffer::new();
    assert_eq!(b.write(b"hello world\n"), 12);
    assert_eq!(text(&b), "hello world\n");
    assert_eq!(info(&b), None);
    assert_eq!(b.len(), 12);
    assert_eq!(b.total_written(), 12);
}

// 3
#[test]
fn exactly_head_size() {
    let b = HeadTailBuffer::new();
    let input = format!(
        "{}{}",
        rep(&format!("{}\n", rep("x", 79)), 204),
        rep("y", 64)
    );
    assert_eq!(input.len(), 16384);
    assert_eq!(b.write(input.as_bytes()), 16384);
    assert_eq!(text(&b), input);
    assert_eq!(info(&b), None);
    assert_eq!(b.len(), 16384);
}

// 4 and the first worked example
#[test]
fn head_plus_tail_no_omission() {
    let b = HeadTailBuffer::sized(10, 10);
    assert_eq!(b.write(b"0123456789abcdefghij"), 20);
    assert_eq!(text(&b), "0123456789\nabcdefghij");
    assert_eq!(info(&b), trunc(20, 21, 0));
    assert_eq!((b.len(), b.total_written()), (20, 20));
}

// 5
#[test]
fn large_output_truncation() {
    let b = HeadTailBuffer::sized(10, 10);
    let input = format!("{}{}", rep("A", 50), rep("Z", 50));
    assert_eq!(b.write(input.as_bytes()), 100);
    assert_eq!(
        text(&b),
        "AAAAAAAAAA\n\n... [omitted 80 bytes] ...\n\nZZZZZZZZZZ"
    );
    assert_eq!(info(&b), trunc(100, 50, 80));
    assert_eq!(b.len(), 20);
    assert_eq!(b.total_written(), 100);
}

// 6 and the 1280-line worked example
#[test]
fn multi_mb_stays_bounded() {
    let b = HeadTailBuffer::new();
    let line = format!("{}\n", rep("x", 4096));
    let mut writes = 0;
    while b.total_written() < 5 * 1024 * 1024 {
        assert_eq!(b.write(line.as_bytes()), 4097);
        writes += 1;
    }
    assert_eq!(writes, 1280);
    assert!(b.len() <= 32768);
    assert_eq!(b.len(), 32768);
    assert_eq!(b.total_written(), 5_244_160);
    let out = b.output();
    let cut_line = format!("{}{}", rep("x", 2032), LINE_TRUNCATION_SUFFIX);
    let expected = format!(
        "{h}\n{h}\n{h}\n{h}\n\n... [omitted 5211392 bytes] ...\n\n{h}\n{h}\n{h}\n{h}\n",
        h = cut_line
    );
    assert_eq!(String::from_utf8(out.text).unwrap(), expected);
    assert_eq!(expected.len(), 16426);
    assert_eq!(out.truncation, trunc(5_244_160, 16426, 5_211_392));
}

// 7
#[test]
fn long_line_truncation() {
    let b = HeadTailBuffer::new();
    b.write(format!("{}\n", rep("m", 2548)).as_bytes());
    let out = text(&b);
    assert_eq!(
        out,
        format!("{}{}\n", rep("m", 2032), LINE_TRUNCATION_SUFFIX)
    );
    assert_eq!(out.len(), 2049);
    let trimmed = out.trim_end_matches('\n');
    assert_eq!(trimmed.lines().count(), 1);
    assert!(trimmed.len() <= 2048 && trimmed.ends_with("... [truncated]"));
    assert_eq!(info(&b), None);
    assert_eq!((b.len(), b.total_written()), (2549, 2549));
}

// 8 and the (20,5000) worked example
#[test]
fn long_line_in_tail() {
    let b = HeadTailBuffer::sized(20, 5000);
    b.write(b"head data goes here\n");
    b.write(format!("{}\n", rep("T", 2148)).as_bytes());
    let expected = format!(
        "head data goes here\n\n{}{}\n",
        rep("T", 2032),
        LINE_TRUNCATION_SUFFIX
    );
    assert_eq!(text(&b), expected);
    assert!(expected.contains("... [truncated]"));
    assert_eq!(info(&b), trunc(2169, 2070, 0));
    assert_eq!((b.len(), b.total_written()), (2169, 2169));
}

// 9
#[test]
fn concurrent_writes() {
    let b = Arc::new(HeadTailBuffer::new());
    let handles: Vec<_> = (0..10)
        .map(|g| {
            let b = b.clone();
            std::thread::spawn(move || {
                let line = format!("goroutine-{g}: data\n");
                for _ in 0..1000 {
                    assert_eq!(b.write(line.as_bytes()), 18);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(b.total_written(), 180_000);
    assert_eq!(b.len(), 32768);
    let out = b.output();
    assert!(!out.text.is_empty());
    // Writes are atomic: the head is made of whole 18-byte lines.
    let head = &b.bytes()[..16380];
    for line in head.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
        assert_eq!(line.len(), 17, "{:?}", String::from_utf8_lossy(line));
    }
}

// 10 and the 50×D worked example
#[test]
fn truncation_info_fields() {
    let b = HeadTailBuffer::sized(10, 10);
    b.write(rep("D", 50).as_bytes());
    assert_eq!(
        text(&b),
        "DDDDDDDDDD\n\n... [omitted 30 bytes] ...\n\nDDDDDDDDDD"
    );
    assert_eq!(info(&b), trunc(50, 50, 30));
    assert_eq!((b.len(), b.total_written()), (20, 50));
}

// 11
#[test]
fn multiple_small_writes() {
    let b = HeadTailBuffer::new();
    for c in "hello world".bytes() {
        assert_eq!(b.write(&[c]), 1);
    }
    assert_eq!(text(&b), "hello world");
    assert_eq!(info(&b), None);
}

// 12
#[test]
fn write_empty_slice() {
    let b = HeadTailBuffer::new();
    assert_eq!(b.write(b""), 0);
    assert_eq!(b.total_written(), 0);
}

// 13
#[test]
fn reset() {
    let b = HeadTailBuffer::new();
    b.write(b"some data");
    b.close();
    assert!(!b.is_empty());
    b.reset();
    assert_eq!(b.len(), 0);
    assert_eq!(b.total_written(), 0);
    assert_eq!(text(&b), "");
    assert_eq!(info(&b), None);
    assert!(!b.is_closed());
}

// 14
#[test]
fn bytes_returns_copy() {
    let b = HeadTailBuffer::new();
    b.write(b"original");
    let mut first = b.bytes();
    assert_eq!(first, b"original");
    first[0] = b'X';
    assert_eq!(b.bytes(), b"original");
}

// 15 and the (5,10) worked example
#[test]
fn ring_buffer_wraparound() {
    let b = HeadTailBuffer::sized(5, 10);
    for w in ["HEADD", "0123456789", "abcdefghij", "ABCDE"] {
        b.write(w.as_bytes());
    }
    let out = text(&b);
    assert!(out.ends_with("fghijABCDE"));
    assert_eq!(out, "HEADD\n\n... [omitted 15 bytes] ...\n\nfghijABCDE");
    assert_eq!(info(&b), trunc(30, 45, 15));
    assert_eq!((b.len(), b.total_written()), (15, 30));
}

// 16 and its worked example
#[test]
fn multiple_lines_truncated() {
    let b = HeadTailBuffer::new();
    b.write(format!("short line\n{}\nshort line\n", rep("L", 2148)).as_bytes());
    let out = text(&b);
    let expected = format!(
        "short line\n{}{}\nshort line\n",
        rep("L", 2032),
        LINE_TRUNCATION_SUFFIX
    );
    assert_eq!(out, expected);
    assert_eq!(out.len(), 2071);
    let lines: Vec<&str> = out.trim_end_matches('\n').split('\n').collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "short line");
    assert!(lines[1].ends_with("... [truncated]"));
    assert_eq!(lines[2], "short line");
    assert_eq!(info(&b), None);
    assert_eq!((b.len(), b.total_written()), (2171, 2171));
}

/// The 1155-line loop of §5.6, byte for byte.
#[test]
fn worked_example_1155_lines() {
    let b = HeadTailBuffer::new();
    let mut all = String::new();
    for i in 1..=1155 {
        let line = format!("line-{i}-padding-to-make-this-longer-than-fifty-characters-total\n");
        all.push_str(&line);
        b.write(line.as_bytes());
    }
    assert_eq!(all.len(), 75123);
    let out = b.output();
    let t = String::from_utf8(out.text).unwrap();
    let expected = format!(
        "{}\n\n... [omitted 42355 bytes] ...\n\n{}",
        &all[..16384],
        &all[all.len() - 16384..]
    );
    assert_eq!(t, expected);
    assert!(all[..16384].ends_with("line-254-padding-to-make-this-longer-than-fifty"));
    assert!(all[all.len() - 16384..]
        .starts_with("ke-this-longer-than-fifty-characters-total\nline-907-"));
    assert_eq!(out.truncation, trunc(75123, 32801, 42355));
    assert_eq!((b.len(), b.total_written()), (32768, 75123));
}

#[test]
fn zero_head_never_outputs() {
    let b = HeadTailBuffer::sized(0, 10);
    b.write(b"abcdefghijkl");
    assert_eq!(
        b.output(),
        Output {
            text: vec![],
            truncation: None
        }
    );
    assert_eq!(b.len(), 10);
}

#[test]
fn line_cuts_are_byte_based() {
    // 2049 bytes of multi-byte characters: the cut may split one.
    let s = "é".repeat(1025);
    let cut = truncate_lines(s.as_bytes());
    assert_eq!(cut.len(), 2048);
    assert_eq!(&cut[..2032], &s.as_bytes()[..2032]);
    // `\r` is ordinary content; a 2048-byte line is kept.
    let line = format!("{}\r\n{}", rep("a", 2047), rep("b", 10));
    assert!(truncate_lines(line.as_bytes()) == line.as_bytes());
    let line = format!("{}\r\n", rep("a", 2048));
    let cut = truncate_lines(line.as_bytes());
    assert!(cut.ends_with(b" ... [truncated]\n") && cut.len() == 2049);
}

#[test]
fn close_wakes_waiters() {
    let b = Arc::new(HeadTailBuffer::new());
    assert!(!b.wait_closed_timeout(Duration::from_millis(1)));
    let b2 = b.clone();
    let t = std::thread::spawn(move || b2.wait_closed_timeout(Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(20));
    b.close();
    assert!(t.join().unwrap());
}

// ---- reference model ----

fn model_truncate_lines(s: &[u8]) -> Vec<u8> {
    if s.len() <= 2048 {
        return s.to_vec();
    }
    let parts: Vec<&[u8]> = s.split(|&c| c == b'\n').collect();
    let last = parts.len() - 1;
    let mut out = Vec::new();
    for (i, line) in parts.iter().enumerate() {
        if i == last && line.is_empty() {
            break;
        }
        if line.len() > 2048 {
            out.extend_from_slice(&line[..2032]);
            out.extend_from_slice(b" ... [truncated]");
        } else {
            out.extend_from_slice(line);
        }
        if i != last {
            out.push(b'\n');
        }
    }
    out
}

/// What the buffer must show for a whole stream, computed from the stream alone.
fn model_output(stream: &[u8], max_head: usize, max_tail: usize) -> Output {
    let total = stream.len();
    if max_head == 0 || total <= max_head || max_tail == 0 {
        let head = &stream[..total.min(max_head)];
        return Output {
            text: model_truncate_lines(head),
            truncation: None,
        };
    }
    let head = &stream[..max_head];
    let tail_len = (total - max_head).min(max_tail);
    let tail = &stream[total - tail_len..];
    let omitted = total - max_head - tail_len;
    let mut text = model_truncate_lines(head);
    if omitted > 0 {
        text.extend_from_slice(format!("\n\n... [omitted {omitted} bytes] ...\n\n").as_bytes());
    } else {
        text.push(b'\n');
    }
    text.extend(model_truncate_lines(tail));
    Output {
        truncation: Some(Truncation {
            original_bytes: total as u64,
            retained_bytes: text.len() as u64,
            omitted_bytes: omitted as u64,
            strategy: "head_tail",
        }),
        text,
    }
}

/// A write: a run of one repeated chunk (to reach 100 KiB cheaply), with or without
/// newlines, or bytes from a multi-byte UTF-8 string that may be split anywhere.
fn write_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (0usize..=102_400, any::<u8>()).prop_map(|(n, b)| vec![b; n]),
        (0usize..=102_400, 1usize..300).prop_map(|(n, every)| (0..n)
            .map(|i| if i % every == every - 1 {
                b'\n'
            } else {
                b'a' + (i % 26) as u8
            })
            .collect()),
        proptest::collection::vec(any::<u8>(), 0..64),
        ("[é€𝄞a\n]{0,200}", 0usize..4).prop_map(|(s, skip)| {
            let b = s.into_bytes();
            b[skip.min(b.len())..].to_vec()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn matches_reference_model(
        writes in proptest::collection::vec(write_strategy(), 0..8),
        sizes in prop_oneof![Just((16384usize, 16384usize)), (0usize..40, 0usize..40), (0usize..3000, 0usize..3000)],
    ) {
        let (h, t) = sizes;
        let b = HeadTailBuffer::sized(h, t);
        let mut stream = Vec::new();
        for w in &writes {
            prop_assert_eq!(b.write(w), w.len());
            stream.extend_from_slice(w);
        }
        prop_assert_eq!(b.total_written(), stream.len() as u64);
        let expected_len = stream.len().min(h) + if t == 0 { 0 } else { stream.len().saturating_sub(h).min(t) };
        prop_assert_eq!(b.len(), expected_len);
        let expected = model_output(&stream, h, t);
        let got = b.output();
        prop_assert_eq!(got.truncation, expected.truncation);
        prop_assert!(got.text == expected.text, "text differs for sizes {:?}", sizes);
        // Splitting the same stream differently gives the same result.
        let b2 = HeadTailBuffer::sized(h, t);
        b2.write(&stream);
        prop_assert_eq!(b2.output(), got);
        prop_assert_eq!(b2.bytes(), b.bytes());
    }
}
