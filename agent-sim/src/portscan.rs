//! The agent's OS listening-ports getter on Linux: IPv4 `LISTEN` sockets from `/proc/net/tcp`,
//! deduplicated by port (first row wins), process names from `/proc/<pid>/fd` and
//! `/proc/<pid>/stat`, results cached for one second.

use crate::scenario::ListeningPort;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a successful scan is reused (`osListeningPortsGetter.cacheDuration`).
pub const CACHE_DURATION: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct OsPortScanner {
    proc_root: PathBuf,
    cache: Mutex<Option<(Instant, Vec<ListeningPort>)>>,
}

impl Default for OsPortScanner {
    fn default() -> Self {
        Self::with_proc_root("/proc")
    }
}

impl OsPortScanner {
    /// A scanner reading another `/proc` (tests point it at a fake tree).
    pub fn with_proc_root(root: impl Into<PathBuf>) -> Self {
        Self {
            proc_root: root.into(),
            cache: Mutex::new(None),
        }
    }

    /// The listening ports, or the error text the agent would put in `detail`.
    pub fn get(&self) -> Result<Vec<ListeningPort>, String> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, ports)) = cache.as_ref() {
            if at.elapsed() < CACHE_DURATION {
                return Ok(ports.clone());
            }
        }
        let ports = self
            .scan()
            .map_err(|e| format!("scan listening ports: {e}"))?;
        *cache = Some((Instant::now(), ports.clone()));
        Ok(ports)
    }

    fn scan(&self) -> Result<Vec<ListeningPort>, String> {
        let tcp_path = self.proc_root.join("net/tcp");
        let text = std::fs::read_to_string(&tcp_path)
            .map_err(|e| format!("open {}: {}", tcp_path.display(), go_io_error(&e)))?;
        let socks = parse_proc_net_tcp(&text);
        let owners = if socks.is_empty() {
            HashMap::new()
        } else {
            socket_owners(&self.proc_root)
        };
        let mut seen = HashSet::new();
        let mut ports = Vec::new();
        for (port, inode) in socks {
            if !seen.insert(port) {
                continue;
            }
            ports.push(ListeningPort {
                process_name: owners.get(&inode).cloned().unwrap_or_default(),
                network: "tcp".into(),
                port,
            });
        }
        Ok(ports)
    }
}

/// Go's `*PathError` text for the common cases.
fn go_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// `(port, inode)` of each row in state `0A` (LISTEN), in file order.
pub fn parse_proc_net_tcp(text: &str) -> Vec<(u16, u64)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] != "0A" {
                return None;
            }
            let (_, port_hex) = f[1].split_once(':')?;
            let port = u16::from_str_radix(port_hex, 16).ok()?;
            let inode = f[9].parse().ok()?;
            Some((port, inode))
        })
        .collect()
}

/// Socket inode → process name; pids visited in lexical order, so the last one wins.
fn socket_owners(proc_root: &Path) -> HashMap<u64, String> {
    let mut owners = HashMap::new();
    let Ok(dir) = std::fs::read_dir(proc_root) else {
        return owners;
    };
    let mut pids: Vec<String> = dir
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    pids.sort();
    for pid in pids {
        let base = proc_root.join(&pid);
        let Ok(fds) = std::fs::read_dir(base.join("fd")) else {
            continue;
        };
        let inodes: Vec<u64> = fds
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read_link(e.path()).ok())
            .filter_map(|t| {
                let t = t.to_string_lossy().into_owned();
                t.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
            })
            .collect();
        if inodes.is_empty() {
            continue;
        }
        let name = std::fs::read_to_string(base.join("stat"))
            .map(|s| comm_from_stat(&s))
            .unwrap_or_default();
        for inode in inodes {
            owners.insert(inode, name.clone());
        }
    }
    owners
}

/// go-netstat splits `stat` on spaces and takes field 2 between `(` and `)`, so a comm with a
/// space yields an empty name.
fn comm_from_stat(stat: &str) -> String {
    let field = stat.split(' ').nth(1).unwrap_or("");
    match (field.find('('), field.rfind(')')) {
        (Some(a), Some(b)) if b > a => field[a + 1..b].to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 100 0 0 10 0
   2: 0100007F:0BB8 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 333 1 0 100 0 0 10 0
   3: 0200007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 444 1 0 100 0 0 10 0
";

    #[test]
    fn parses_listen_rows_in_order() {
        assert_eq!(
            parse_proc_net_tcp(TCP),
            vec![(3000, 111), (8080, 222), (3000, 444)]
        );
    }

    #[test]
    fn comm_parsing_matches_go_netstat() {
        assert_eq!(comm_from_stat("123 (node) S 1 2"), "node");
        assert_eq!(comm_from_stat("123 (my app) S 1 2"), "");
    }

    #[test]
    fn fake_proc_tree_dedupes_and_names() {
        let dir = std::env::temp_dir().join(format!("agent-sim-proc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("net")).unwrap();
        std::fs::write(dir.join("net/tcp"), TCP).unwrap();
        std::fs::create_dir_all(dir.join("42/fd")).unwrap();
        std::fs::write(dir.join("42/stat"), "42 (node) S 1").unwrap();
        std::os::unix::fs::symlink("socket:[111]", dir.join("42/fd/3")).unwrap();
        let s = OsPortScanner::with_proc_root(&dir);
        let ports = s.get().unwrap();
        assert_eq!(
            ports,
            vec![
                ListeningPort {
                    process_name: "node".into(),
                    network: "tcp".into(),
                    port: 3000
                },
                ListeningPort {
                    process_name: String::new(),
                    network: "tcp".into(),
                    port: 8080
                },
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn results_are_cached_for_a_second() {
        let dir = std::env::temp_dir().join(format!("agent-sim-proc-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("net")).unwrap();
        std::fs::write(dir.join("net/tcp"), TCP).unwrap();
        let s = OsPortScanner::with_proc_root(&dir);
        let first = s.get().unwrap();
        std::fs::remove_file(dir.join("net/tcp")).unwrap();
        assert_eq!(
            s.get().unwrap(),
            first,
            "second scan within 1 s is served from the cache"
        );
        *s.cache.lock().unwrap() = Some((Instant::now() - CACHE_DURATION, first));
        assert!(s.get().is_err(), "an expired cache rescans");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_proc_is_the_agent_error() {
        let s = OsPortScanner::with_proc_root("/nonexistent-proc");
        assert_eq!(
            s.get().unwrap_err(),
            "scan listening ports: open /nonexistent-proc/net/tcp: no such file or directory"
        );
    }
}
