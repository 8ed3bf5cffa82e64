//! Head/tail buffer throughput: 1 MiB and 100 MiB in 64 KiB writes (what the pipe reader
//! hands over), and 1 MiB in 64-byte writes (line-sized), each beside a baseline that copies
//! the same bytes into a `Vec` the same way. Run with `cargo bench -p agent-sim --bench headtail`.

use agent_sim::processes::headtail::HeadTailBuffer;
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::time::Duration;

const MIB: usize = 1024 * 1024;

fn data(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            if i % 80 == 79 {
                b'\n'
            } else {
                b'a' + (i % 26) as u8
            }
        })
        .collect()
}

fn bench_case(c: &mut Criterion, name: &str, total: usize, write: usize) {
    let input = data(total);
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(total as u64));
    if total >= 100 * MIB {
        g.sample_size(10).measurement_time(Duration::from_secs(10));
    }
    g.bench_function(BenchmarkId::new("headtail", write), |b| {
        b.iter(|| {
            let buf = HeadTailBuffer::new();
            for chunk in input.chunks(write) {
                buf.write(chunk);
            }
            black_box(buf.total_written())
        })
    });
    g.bench_function(BenchmarkId::new("vec_copy", write), |b| {
        let mut out: Vec<u8> = Vec::with_capacity(total);
        b.iter(|| {
            out.clear();
            for chunk in input.chunks(write) {
                out.extend_from_slice(chunk);
            }
            black_box(out.len())
        })
    });
    g.finish();
}

fn throughput(c: &mut Criterion) {
    bench_case(c, "1MiB", MIB, 64 * 1024);
    bench_case(c, "100MiB", 100 * MIB, 64 * 1024);
    bench_case(c, "1MiB_small_writes", MIB, 64);
}

fn output(c: &mut Criterion) {
    // Formatting a full buffer (line cuts + marker), as each /output request does.
    let buf = HeadTailBuffer::new();
    buf.write(&data(MIB));
    c.bench_function("output_full_buffer", |b| b.iter(|| black_box(buf.output())));
}

criterion_group!(benches, throughput, output);
criterion_main!(benches);
