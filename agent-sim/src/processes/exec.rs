//! The `exec` backend: `sh -c <command>` for real, stdin `/dev/null`, stdout and stderr on one
//! pipe streamed into the process's head/tail buffer (so memory stays bounded whatever the
//! command prints), the shell leading its own process group. A supervisor task waits for the
//! exit, applies Go's 5 s `WaitDelay` to a pipe held open by descendants, and records the exit
//! code the agent would report (−1 for a signal death or a wait-delay expiry after status 0).

use super::process::{Process, Shared, StartError, WAIT_DELAY};
use std::ffi::CStr;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::sync::{Arc, Weak};
use tokio::io::AsyncReadExt;

/// Bytes read from the pipe at a time.
const READ_CHUNK: usize = 32 * 1024;

/// A spawned shell, ready to be supervised.
#[derive(Debug)]
pub struct Spawned {
    pub pid: i32,
    child: tokio::process::Child,
    reader: tokio::net::unix::pipe::Receiver,
}

/// Go's text for an errno (`syscall.Errno.Error()`): the C text, first letter lowercased.
pub fn errno_text(errno: i32) -> String {
    // SAFETY: strerror returns a pointer to a static (or thread-local) NUL-terminated string.
    let s = unsafe { CStr::from_ptr(libc::strerror(errno)) }
        .to_string_lossy()
        .into_owned();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// Go's `exec.LookPath("sh")` against the simulator's own `PATH`.
pub fn look_path(name: &str) -> Result<String, String> {
    let not_found = || {
        format!(
            "exec: {}: executable file not found in $PATH",
            crate::gostr::quote(name)
        )
    };
    let path = std::env::var("PATH").map_err(|_| not_found())?;
    for dir in path.split(':') {
        let dir = if dir.is_empty() { "." } else { dir };
        let candidate = std::path::Path::new(dir).join(name);
        if let Ok(meta) = std::fs::metadata(&candidate) {
            if meta.is_file() && meta.permissions().mode() & 0o111 != 0 {
                return Ok(candidate.display().to_string());
            }
        }
    }
    Err(not_found())
}

/// A pipe with both ends close-on-exec: (read, write).
fn pipe() -> Result<(OwnedFd, OwnedFd), String> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    if rc != 0 {
        return Err(format!("pipe2: {}", errno_text(last_errno())));
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Starts `sh -c command`. The error is the text after `start process: `.
pub fn spawn(command: &str, workdir: &str, env: &[String]) -> Result<Spawned, StartError> {
    spawn_inner(command, workdir, env).map_err(StartError::Spawn)
}

fn spawn_inner(command: &str, workdir: &str, env: &[String]) -> Result<Spawned, String> {
    let sh = look_path("sh")?;
    if env.iter().any(|kv| kv.contains('\0')) {
        return Err("exec: environment variable contains NUL".into());
    }
    if command.contains('\0') || workdir.contains('\0') {
        return Err(format!("fork/exec {sh}: {}", errno_text(libc::EINVAL)));
    }
    let (read, write) = pipe()?;
    let write2 = write
        .try_clone()
        .map_err(|e| format!("dup: {}", errno_text(e.raw_os_error().unwrap_or(libc::EIO))))?;
    let mut cmd = tokio::process::Command::new(&sh);
    // Go's `exec.Command("sh", …)` keeps `sh` as argv[0] (dash prints it in its errors).
    cmd.arg0("sh")
        .arg("-c")
        .arg(command)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::from(write))
        .stderr(Stdio::from(write2))
        .process_group(0)
        .kill_on_drop(false);
    for kv in env {
        match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                cmd.env(k, v);
            }
            _ => {}
        }
    }
    if !workdir.is_empty() {
        cmd.current_dir(workdir);
    }
    let child = cmd.spawn().map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(libc::EINVAL);
        format!("fork/exec {sh}: {}", errno_text(errno))
    })?;
    // Our copies of the write end go away with the command, so EOF comes when the last
    // holder in the child's tree closes it.
    drop(cmd);
    let pid = child
        .id()
        .and_then(|p| i32::try_from(p).ok())
        .ok_or_else(|| "wait: no child processes".to_string())?;
    let reader =
        tokio::net::unix::pipe::Receiver::from_owned_fd(read).map_err(|e| format!("pipe: {e}"))?;
    Ok(Spawned { pid, child, reader })
}

/// `kill(-pgid, sig)`; the error is Go's errno text.
pub fn signal_group(pgid: i32, sig: libc::c_int) -> Result<(), String> {
    if pgid <= 1 {
        return Err(errno_text(libc::ESRCH));
    }
    // SAFETY: kill has no memory-safety preconditions; a negative pid names a process group.
    let rc = unsafe { libc::kill(-pgid, sig) };
    if rc == 0 {
        Ok(())
    } else {
        Err(errno_text(last_errno()))
    }
}

/// SIGKILL (or another signal) to a group, ignoring "no such process".
pub fn kill_group(pgid: i32, sig: libc::c_int) {
    let _ = signal_group(pgid, sig);
}

/// Whether any process (zombies included) is still in the group.
pub fn group_alive(pgid: i32) -> bool {
    signal_group(pgid, 0).is_ok()
}

/// Streams the pipe into the buffer, waits for the shell, applies the wait delay, records the
/// exit.
pub(super) async fn supervise(shared: Weak<Shared>, proc: Arc<Process>, spawned: Spawned) {
    let Spawned {
        pid,
        mut child,
        mut reader,
    } = spawned;
    let sink = proc.clone();
    let mut copy = tokio::spawn(async move {
        let mut chunk = vec![0u8; READ_CHUNK];
        loop {
            match reader.read(&mut chunk).await {
                Ok(0) => break,
                Ok(n) => {
                    sink.buf.write(&chunk[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    });
    let status = child.wait().await;
    let mut wait_delay_expired = false;
    if tokio::time::timeout(WAIT_DELAY, &mut copy).await.is_err() {
        // Go closes the pipe after WaitDelay; output read so far is kept.
        copy.abort();
        let _ = copy.await;
        wait_delay_expired = true;
    }
    let code = match status {
        Ok(st) => match st.code() {
            Some(0) if wait_delay_expired => -1,
            Some(c) => c,
            None => -1,
        },
        Err(_) => -1,
    };
    let now = match shared.upgrade() {
        Some(s) => {
            prune_group(&s, pid);
            s.now_unix()
        }
        None => Shared::default().now_unix(),
    };
    proc.finish(code, now);
}

/// Forgets a process group once it has no members left.
fn prune_group(shared: &Shared, pgid: i32) {
    if !group_alive(pgid) {
        shared.table().groups.remove(&pgid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_texts_match_go() {
        assert_eq!(errno_text(libc::ENOENT), "no such file or directory");
        assert_eq!(errno_text(libc::ENOTDIR), "not a directory");
        assert_eq!(errno_text(libc::ESRCH), "no such process");
        assert_eq!(errno_text(libc::E2BIG), "argument list too long");
    }

    #[test]
    fn look_path_finds_sh() {
        let sh = look_path("sh").unwrap();
        assert!(sh.ends_with("/sh"), "{sh}");
        assert_eq!(
            look_path("no-such-shell-here").unwrap_err(),
            "exec: \"no-such-shell-here\": executable file not found in $PATH"
        );
    }
}
