//! The agent's `HeadTailBuffer`: a thread-safe, bounded-memory writer that keeps the first
//! [`MAX_HEAD_BYTES`] and the last [`MAX_TAIL_BYTES`] bytes of a process's merged output, counts
//! what falls in between, and formats it with the agent's exact line cuts and truncation
//! markers (`processes.md` §5). Closing it (at process exit) wakes `?wait=true` waiters.

use serde::Serialize;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// Bytes kept from the start of the stream.
pub const MAX_HEAD_BYTES: usize = 16384;
/// Bytes kept from the end of the stream (ring buffer).
pub const MAX_TAIL_BYTES: usize = 16384;
/// Lines longer than this are cut (only when the text being cut is longer than this).
pub const MAX_LINE_LENGTH: usize = 2048;
/// Appended to a cut line (leading space, 16 bytes).
pub const LINE_TRUNCATION_SUFFIX: &str = " ... [truncated]";
/// `ProcessTruncation.strategy`.
pub const STRATEGY: &str = "head_tail";

/// `ProcessTruncation`: none of the fields is omitempty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Truncation {
    pub original_bytes: u64,
    pub retained_bytes: u64,
    pub omitted_bytes: u64,
    pub strategy: &'static str,
}

/// What `Output()` returns: the text (raw bytes, possibly invalid UTF-8) and the truncation
/// info, present exactly when the head/tail split is in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub text: Vec<u8>,
    pub truncation: Option<Truncation>,
}

#[derive(Debug, Default)]
struct State {
    max_head: usize,
    max_tail: usize,
    head: Vec<u8>,
    head_full: bool,
    /// Allocated (`max_tail` bytes) on the first tail write.
    tail: Vec<u8>,
    tail_pos: usize,
    tail_full: bool,
    total: u64,
    closed: bool,
}

impl State {
    fn write_tail(&mut self, mut p: &[u8]) {
        if self.max_tail == 0 {
            return;
        }
        if self.tail.is_empty() {
            self.tail = vec![0; self.max_tail];
        }
        // Only the last `max_tail` bytes of `p` can survive; skip the rest but keep the ring
        // position where a byte-by-byte copy would have left it.
        if p.len() > self.max_tail {
            let skip = p.len() - self.max_tail;
            let advanced = self.tail_pos + skip % self.max_tail;
            if skip >= self.max_tail || advanced >= self.max_tail {
                self.tail_full = true;
            }
            self.tail_pos = advanced % self.max_tail;
            p = &p[skip..];
        }
        while !p.is_empty() {
            let take = (self.max_tail - self.tail_pos).min(p.len());
            self.tail[self.tail_pos..self.tail_pos + take].copy_from_slice(&p[..take]);
            p = &p[take..];
            self.tail_pos += take;
            if self.tail_pos >= self.max_tail {
                self.tail_pos = 0;
                self.tail_full = true;
            }
        }
    }

    fn tail_bytes(&self) -> Vec<u8> {
        if self.tail.is_empty() {
            return Vec::new();
        }
        if !self.tail_full {
            return self.tail[..self.tail_pos].to_vec();
        }
        let mut out = Vec::with_capacity(self.max_tail);
        out.extend_from_slice(&self.tail[self.tail_pos..]);
        out.extend_from_slice(&self.tail[..self.tail_pos]);
        out
    }
}

/// The head/tail buffer. All methods take `&self`; it is `Send + Sync`.
#[derive(Debug)]
pub struct HeadTailBuffer {
    state: Mutex<State>,
    closed_cond: Condvar,
    closed_tx: watch::Sender<bool>,
}

impl Default for HeadTailBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl HeadTailBuffer {
    /// The default buffer: 16384 head bytes, 16384 tail bytes.
    pub fn new() -> Self {
        Self::sized(MAX_HEAD_BYTES, MAX_TAIL_BYTES)
    }

    /// A buffer with custom head and tail capacities (tests use small ones).
    pub fn sized(max_head: usize, max_tail: usize) -> Self {
        Self {
            state: Mutex::new(State {
                max_head,
                max_tail,
                ..State::default()
            }),
            closed_cond: Condvar::new(),
            closed_tx: watch::Sender::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state inconsistent in a way that
        // matters more than losing the output, so keep serving it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Write(p)`: never fails, never blocks on readers, returns `p.len()`.
    pub fn write(&self, p: &[u8]) -> usize {
        let n = p.len();
        if n == 0 {
            return 0;
        }
        let mut st = self.lock();
        st.total += n as u64;
        let mut rest = p;
        if !st.head_full {
            let remaining = st.max_head - st.head.len();
            if remaining > 0 {
                let take = remaining.min(rest.len());
                st.head.extend_from_slice(&rest[..take]);
                rest = &rest[take..];
                if st.head.len() >= st.max_head {
                    st.head_full = true;
                }
            }
            if rest.is_empty() {
                return n;
            }
        }
        st.write_tail(rest);
        n
    }

    /// A copy of the stored head + tail bytes, raw (no marker, no line cuts).
    pub fn bytes(&self) -> Vec<u8> {
        let st = self.lock();
        let mut out = st.head.clone();
        out.extend_from_slice(&st.tail_bytes());
        out
    }

    /// The number of bytes stored.
    pub fn len(&self) -> usize {
        let st = self.lock();
        let tail = if st.tail_full {
            st.max_tail
        } else if !st.tail.is_empty() {
            st.tail_pos
        } else {
            0
        };
        st.head.len() + tail
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every byte ever written (since the last reset).
    pub fn total_written(&self) -> u64 {
        self.lock().total
    }

    /// Clears everything, including the closed flag, and wakes waiters.
    pub fn reset(&self) {
        let mut st = self.lock();
        let (max_head, max_tail) = (st.max_head, st.max_tail);
        *st = State {
            max_head,
            max_tail,
            ..State::default()
        };
        drop(st);
        self.closed_tx.send_replace(false);
        self.closed_cond.notify_all();
    }

    /// Marks the output final (process exit) and wakes every waiter.
    pub fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        drop(st);
        self.closed_tx.send_replace(true);
        self.closed_cond.notify_all();
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Blocks the calling thread until closed or `timeout` passes; returns whether closed.
    pub fn wait_closed_timeout(&self, timeout: Duration) -> bool {
        let st = self.lock();
        let (st, _) = self
            .closed_cond
            .wait_timeout_while(st, timeout, |s| !s.closed)
            .unwrap_or_else(|e| e.into_inner());
        st.closed
    }

    /// Waits (async) until the buffer is closed.
    pub async fn closed(&self) {
        let mut rx = self.closed_tx.subscribe();
        let _ = rx.wait_for(|closed| *closed).await;
    }

    /// `Output()`: the text with line cuts and the omission marker, plus truncation info.
    pub fn output(&self) -> Output {
        let (head, tail, total, head_full) = {
            let st = self.lock();
            (st.head.clone(), st.tail_bytes(), st.total, st.head_full)
        };
        if !head_full || tail.is_empty() {
            let text = if total == 0 {
                Vec::new()
            } else {
                truncate_lines(&head)
            };
            return Output {
                text,
                truncation: None,
            };
        }
        let omitted = total - (head.len() + tail.len()) as u64;
        let mut text = truncate_lines(&head);
        if omitted > 0 {
            text.extend_from_slice(format!("\n\n... [omitted {omitted} bytes] ...\n\n").as_bytes());
        } else {
            text.push(b'\n');
        }
        text.extend_from_slice(&truncate_lines(&tail));
        let truncation = Truncation {
            original_bytes: total,
            retained_bytes: text.len() as u64,
            omitted_bytes: omitted,
            strategy: STRATEGY,
        };
        Output {
            text,
            truncation: Some(truncation),
        }
    }
}

/// `truncateLines`: when `s` is longer than [`MAX_LINE_LENGTH`], every `\n`-separated line
/// longer than that becomes its first 2032 bytes + [`LINE_TRUNCATION_SUFFIX`].
pub fn truncate_lines(s: &[u8]) -> Vec<u8> {
    if s.len() <= MAX_LINE_LENGTH {
        return s.to_vec();
    }
    let cut = MAX_LINE_LENGTH - LINE_TRUNCATION_SUFFIX.len();
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let (line, had_newline) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let line = &rest[..i];
                rest = &rest[i + 1..];
                (line, true)
            }
            None => {
                let line = rest;
                rest = &[];
                (line, false)
            }
        };
        if line.len() > MAX_LINE_LENGTH {
            out.extend_from_slice(&line[..cut]);
            out.extend_from_slice(LINE_TRUNCATION_SUFFIX.as_bytes());
        } else {
            out.extend_from_slice(line);
        }
        if had_newline {
            out.push(b'\n');
        }
    }
    out
}

#[cfg(test)]
mod tests;
