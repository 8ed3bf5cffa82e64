//! read-file-lines' formatting: 1-based offset, limit, per-line truncation, and the
//! response byte/line caps with the agent's exact sentences.

/// The `max_*` limits and the window of a read-file-lines request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineParams {
    pub offset: i64,
    pub limit: i64,
    pub max_file_size: i64,
    pub max_line_bytes: i64,
    pub max_response_lines: i64,
    pub max_response_bytes: i64,
}

impl Default for LineParams {
    fn default() -> Self {
        Self {
            offset: 1,
            limit: 0,
            max_file_size: 1 << 20,
            max_line_bytes: 1024,
            max_response_lines: 2000,
            max_response_bytes: 32768,
        }
    }
}

/// A successful read: `(total_lines, lines_read, content bytes)`.
pub type LinesOk = (usize, usize, Vec<u8>);

/// Formats the lines of a non-empty file.
pub fn format_lines(content: &[u8], p: &LineParams) -> Result<LinesOk, String> {
    let lines: Vec<&[u8]> = content.split(|&b| b == b'\n').collect();
    let total = lines.len();
    let offset = p.offset.max(1) as u64;
    if offset > total as u64 {
        return Err(format!(
            "offset {offset} is beyond the file length of {total} lines"
        ));
    }
    let limit = if p.limit == 0 {
        p.max_response_lines
    } else {
        p.limit
    };
    let start = (offset - 1) as usize;
    let end = (start as u64)
        .saturating_add(limit.max(0) as u64)
        .min(total as u64) as usize;
    let max_line = p.max_line_bytes.max(0) as usize;
    let mut out: Vec<u8> = Vec::new();
    let mut count = 0usize;
    for (i, line) in lines.iter().enumerate().take(end).skip(start) {
        let mut formatted = format!("{}\t", i + 1).into_bytes();
        if line.len() > max_line {
            formatted.extend_from_slice(&line[..max_line]);
            formatted.extend_from_slice(b"... [truncated]");
        } else {
            formatted.extend_from_slice(line);
        }
        let joiner = usize::from(count > 0);
        if (out.len() + joiner + formatted.len()) as u64 > p.max_response_bytes.max(0) as u64 {
            return Err(format!(
                "output would exceed {} bytes. Read less at a time using offset and limit parameters.",
                p.max_response_bytes
            ));
        }
        if count as u64 >= p.max_response_lines.max(0) as u64 {
            return Err(format!(
                "output would exceed {} lines. Read less at a time using offset and limit parameters.",
                p.max_response_lines
            ));
        }
        if joiner == 1 {
            out.push(b'\n');
        }
        out.extend_from_slice(&formatted);
        count += 1;
    }
    Ok((total, count, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(offset: i64, limit: i64) -> LineParams {
        LineParams {
            offset,
            limit,
            ..LineParams::default()
        }
    }

    #[test]
    fn basic_reads() {
        let c = b"line1\nline2\nline3";
        assert_eq!(
            format_lines(c, &p(0, 0)).unwrap(),
            (3, 3, b"1\tline1\n2\tline2\n3\tline3".to_vec())
        );
        assert_eq!(
            format_lines(c, &p(2, 1)).unwrap(),
            (3, 1, b"2\tline2".to_vec())
        );
        assert_eq!(
            format_lines(c, &p(100, 0)).unwrap_err(),
            "offset 100 is beyond the file length of 3 lines"
        );
        assert_eq!(format_lines(b"a\nb\n", &p(0, 0)).unwrap().0, 3);
    }

    #[test]
    fn caps() {
        let c = b"aaaa\nbbbb";
        let mut q = p(1, 0);
        q.max_response_bytes = 8;
        assert!(format_lines(c, &q)
            .unwrap_err()
            .starts_with("output would exceed 8 bytes."));
        let mut q = p(1, 2);
        q.max_response_lines = 1;
        assert_eq!(
            format_lines(c, &q).unwrap_err(),
            "output would exceed 1 lines. Read less at a time using offset and limit parameters."
        );
        let mut q = p(1, 0);
        q.max_response_lines = 0;
        assert_eq!(format_lines(c, &q).unwrap(), (2, 0, Vec::new()));
        let mut q = p(1, 1);
        q.max_response_lines = 0;
        assert!(format_lines(c, &q).unwrap_err().contains("0 lines"));
    }
}
