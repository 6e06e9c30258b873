//! Frame cost with 10k processes (rebuild = filter+sort after a snapshot; draw = build
//! the visible rows and render them into a 200x50 buffer), and one refresh of the
//! live /proc collector on this machine, and the /proc/PID/stat parsers side by side.

use criterion::{Criterion, criterion_group, criterion_main};
use quarterdeck::model::fixture;
use quarterdeck::sources::LocalCollector;
use quarterdeck::tui::app::{App, Env};
use quarterdeck::tui::render::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::sync::Arc;

fn frame(c: &mut Criterion) {
    let snap = Arc::new(fixture::many(10_000));
    let mut app = App::new(Env::for_tests(), snap, (200, 50));
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("backend");
    c.bench_function("draw 10k rows 200x50", |b| {
        b.iter(|| {
            term.draw(|f| draw(f, black_box(&app))).expect("draw");
        })
    });
    c.bench_function("rebuild 10k rows (sort cpu)", |b| b.iter(|| app.rebuild()));
    let procs = &mut app.screens.processes.table;
    procs.set_filter(&app.data, "jobs-3");
    c.bench_function("rebuild 10k rows (fuzzy filter)", |b| {
        b.iter(|| app.rebuild())
    });
    let procs = &mut app.screens.processes.table;
    procs.set_filter(&app.data, "");
    procs.source.tree = true;
    c.bench_function("rebuild 10k rows (tree)", |b| b.iter(|| app.rebuild()));
}

fn collect(c: &mut Criterion) {
    let mut col = LocalCollector::new();
    let _ = col.snapshot();
    c.bench_function("collect live /proc snapshot", |b| {
        b.iter(|| black_box(col.snapshot()))
    });
}

/// /proc/PID/stat parsed by procfs and by the collector's own hot-path parser, on this
/// process's own stat line.
fn stat(c: &mut Criterion) {
    use quarterdeck::sources::procstat::{parse_fields, parse_stat};
    let buf = std::fs::read("/proc/self/stat").expect("own stat");
    c.bench_function("stat: procfs", |b| b.iter(|| parse_stat(black_box(&buf))));
    c.bench_function("stat: hand-written", |b| {
        b.iter(|| parse_fields(black_box(&buf)))
    });
}

criterion_group!(benches, frame, collect, stat);
criterion_main!(benches);
