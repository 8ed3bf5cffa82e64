//! The `scripted` backend: a process that prints the scenario script's output (at once, then
//! chunk by chunk over time) and exits with its code after `after_ms`, without spawning
//! anything. A command with no script behaves like dash failing to find it: it prints
//! `sh: 1: <word>: not found` and exits 127. Signals end it with −1, as for a real shell,
//! except `terminate` on a script that ignores it.

use super::process::{Process, Shared, Signal};
use crate::scenario::processes::{Chunk, ProcessesConfig};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

/// What a scripted process will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub initial_output: String,
    pub chunks: Vec<(u64, String)>,
    pub exit_code: i32,
    pub after_ms: u64,
    pub ignore_terminate: bool,
}

/// What dash prints for a command it cannot find (`sh -c "foo bar"` → `sh: 1: foo: not found`).
/// A command of only blanks runs nothing and exits 0.
pub fn not_found(command: &str) -> Plan {
    let word = command.split([' ', '\t', '\n']).find(|w| !w.is_empty());
    match word {
        Some(w) => Plan {
            initial_output: format!("sh: 1: {w}: not found\n"),
            chunks: Vec::new(),
            exit_code: 127,
            after_ms: 0,
            ignore_terminate: false,
        },
        None => Plan {
            initial_output: String::new(),
            chunks: Vec::new(),
            exit_code: 0,
            after_ms: 0,
            ignore_terminate: false,
        },
    }
}

/// The plan for `command`: the first script with that exact command, else [`not_found`].
pub fn plan_for(config: &ProcessesConfig, command: &str) -> Plan {
    match config.script_for(command) {
        Some(s) => Plan {
            initial_output: s.output.clone(),
            chunks: s
                .chunks
                .iter()
                .map(|Chunk { after_ms, output }| (*after_ms, output.clone()))
                .collect(),
            exit_code: s.exit_code,
            after_ms: s.after_ms,
            ignore_terminate: s.ignore_terminate,
        },
        None => not_found(command),
    }
}

/// Plays the plan (the initial output is already written), stopping early on a signal.
pub(super) async fn run(
    shared: Weak<Shared>,
    proc: Arc<Process>,
    plan: Plan,
    mut signals: UnboundedReceiver<Signal>,
) {
    let start = Instant::now();
    let mut chunks = plan.chunks.into_iter().peekable();
    let code = loop {
        let (at, chunk) = match chunks.peek() {
            Some((at, _)) => (*at, true),
            None => (plan.after_ms, false),
        };
        let deadline = start + Duration::from_millis(at);
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => {
                if !chunk {
                    break plan.exit_code;
                }
                if let Some((_, out)) = chunks.next() {
                    proc.buf.write(out.as_bytes());
                }
            }
            sig = signals.recv() => match sig {
                Some(Signal::Terminate) if plan.ignore_terminate => {}
                // A signal, or the manager dropped us: killed.
                _ => break -1,
            }
        }
    };
    let now = match shared.upgrade() {
        Some(s) => s.now_unix(),
        None => Shared::default().now_unix(),
    };
    proc.finish(code, now);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmatched_commands_read_like_dash() {
        let p = not_found("make   test");
        assert_eq!(p.initial_output, "sh: 1: make: not found\n");
        assert_eq!(p.exit_code, 127);
        let p = not_found("   ");
        assert_eq!((p.initial_output.as_str(), p.exit_code), ("", 0));
    }
}
