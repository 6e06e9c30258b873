//! A fixed, deterministic snapshot for tests, screenshots of layouts and benchmarks:
//! a small web host (nginx, postgres, node apps, a runaway build) and, on demand,
//! thousands of generated rows. No I/O.

use super::port::{Exposure, Port, PortTable, Scope, SocketEntry};
use super::{HostStats, Process, Snapshot};
use std::sync::Arc;

#[allow(clippy::too_many_arguments)] // a row builder: positional reads like the table it builds
fn proc(
    pid: i32,
    ppid: i32,
    user: &str,
    uid: u32,
    argv: &[&str],
    cpu: f32,
    rss_mb: u64,
    nice: i32,
    state: char,
) -> Process {
    let name = argv
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a))
        .unwrap_or("kworker/0:1");
    Process {
        pid,
        ppid,
        user: Arc::from(user),
        uid,
        name: Arc::from(&name[..name.len().min(15)]),
        cmdline: Arc::from(argv.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        state,
        nice,
        priority: 20 + nice,
        threads: 1,
        cpu_percent: cpu,
        rss_bytes: rss_mb * 1024 * 1024,
        vsize_bytes: rss_mb * 4 * 1024 * 1024,
        cpu_ticks: pid as u64 * 37 % 100_000,
        cpu_seconds: (pid as u64 * 37 % 100_000) as f64 / 100.0,
        start_time: 1_795_200_000 + pid as u64 * 13,
        starttime_ticks: 1000 + pid as u64 * 7,
        tty_nr: 0,
        kernel_thread: argv.is_empty(),
        unit: None,
        site: None,
    }
}

fn stats() -> HostStats {
    HostStats {
        hostname: "web1".into(),
        uptime_secs: 3 * 86400 + 4 * 3600 + 12 * 60,
        load: [0.52, 0.40, 0.33],
        cpu_per_core: vec![12.5, 64.0, 3.0, 97.0],
        cpu_total: 44.1,
        mem_total: 8 * 1024 * 1024 * 1024,
        mem_available: 5 * 1024 * 1024 * 1024,
        swap_total: 2 * 1024 * 1024 * 1024,
        swap_free: 2 * 1024 * 1024 * 1024 - 64 * 1024 * 1024,
        boot_time: 1_795_000_000,
    }
}

/// The web host: about twenty processes in a tree, one hostile name among them.
pub fn web_host() -> Snapshot {
    let mut p = vec![
        proc(1, 0, "root", 0, &["/sbin/init"], 0.0, 12, 0, 'S'),
        proc(2, 0, "root", 0, &[], 0.0, 0, 0, 'S'),
        proc(412, 1, "root", 0, &["/usr/sbin/sshd", "-D"], 0.0, 8, 0, 'S'),
        proc(
            5120,
            412,
            "root",
            0,
            &["sshd: alice [priv]"],
            0.0,
            10,
            0,
            'S',
        ),
        proc(5131, 5120, "alice", 1000, &["-bash"], 0.0, 5, 0, 'S'),
        proc(
            620,
            1,
            "root",
            0,
            &["nginx: master process /usr/sbin/nginx", "-g", "daemon on;"],
            0.0,
            6,
            0,
            'S',
        ),
        proc(
            621,
            620,
            "www-data",
            33,
            &["nginx: worker process"],
            1.2,
            9,
            0,
            'S',
        ),
        proc(
            622,
            620,
            "www-data",
            33,
            &["nginx: worker process"],
            0.8,
            9,
            0,
            'S',
        ),
        proc(
            700,
            1,
            "postgres",
            110,
            &[
                "/usr/lib/postgresql/15/bin/postgres",
                "-D",
                "/var/lib/postgresql/15/main",
            ],
            0.3,
            210,
            0,
            'S',
        ),
        proc(
            731,
            700,
            "postgres",
            110,
            &["postgres: 15/main: checkpointer"],
            0.0,
            40,
            0,
            'S',
        ),
        proc(
            1801,
            1,
            "site_shop",
            1001,
            &[
                "/usr/bin/node",
                "/var/www/sites/shop/api/server.js",
                "--port",
                "10011",
            ],
            23.4,
            180,
            0,
            'S',
        ),
        proc(
            1802,
            1,
            "site_shop",
            1001,
            &[
                "/usr/bin/node",
                "/var/www/sites/shop/web/.next/standalone/server.js",
            ],
            4.1,
            240,
            0,
            'S',
        ),
        proc(
            1950,
            1,
            "site_blog",
            1002,
            &[
                "/usr/bin/python3",
                "-m",
                "gunicorn",
                "blog.wsgi",
                "-w",
                "4",
                "-b",
                "127.0.0.1:10021",
            ],
            2.0,
            95,
            0,
            'S',
        ),
        proc(
            2210,
            5131,
            "alice",
            1000,
            &["/usr/bin/cargo", "build", "--release"],
            3.0,
            120,
            0,
            'S',
        ),
        proc(
            2215,
            2210,
            "alice",
            1000,
            &[
                "/home/alice/.rustup/toolchains/stable/bin/rustc",
                "--crate-name",
                "shop_core",
                "--edition=2021",
            ],
            198.5,
            1450,
            10,
            'R',
        ),
        proc(
            2990,
            1,
            "root",
            0,
            &["/usr/sbin/cron", "-f"],
            0.0,
            3,
            0,
            'S',
        ),
        proc(
            3100,
            1,
            "site_blog",
            1002,
            &["/usr/bin/python3", "worker.py"],
            0.0,
            60,
            5,
            'D',
        ),
        proc(
            3101,
            3100,
            "site_blog",
            1002,
            &["[defunct]"],
            0.0,
            0,
            0,
            'Z',
        ),
        proc(
            4242,
            1,
            "mallory",
            1003,
            &["\x1b]0;pwned\x07\x1b[2Jevil\u{202e}txt.exe", "line1\nline2"],
            0.5,
            2,
            0,
            'S',
        ),
        proc(
            4300,
            1,
            "site_shop",
            1001,
            &["/usr/bin/redis-server", "127.0.0.1:6379"],
            0.4,
            14,
            -5,
            'S',
        ),
    ];
    p[1].name = Arc::from("kthreadd");
    p[10].unit = Some(Arc::from("qd-shop-api.service"));
    p[11].unit = Some(Arc::from("qd-shop-web.service"));
    let ports = web_ports(&p);
    Snapshot {
        host: "local".into(),
        taken_at_ms: 1_795_300_000_000,
        stats: stats(),
        processes: p,
        partial_reads: 0,
        skipped_kernel_threads: 0,
        ports: Some(PortTable {
            scope: Scope::All,
            rows: ports,
            error: None,
        }),
    }
}

/// The web host's sockets: listeners (one shared by nginx's master and workers, one
/// whose holder cannot be seen, one held by the hostile process) and connections.
fn web_ports(procs: &[Process]) -> Vec<Port> {
    let by_pid = |pid: i32| procs.iter().find(|p| p.pid == pid);
    let mut rows = Vec::new();
    #[allow(clippy::type_complexity)]
    let table: &[(
        &'static str,
        &str,
        &str,
        &'static str,
        &str,
        &[i32],
        Option<u32>,
    )] = &[
        (
            "tcp",
            "0.0.0.0:22",
            "0.0.0.0:0",
            "LISTEN",
            "root",
            &[412],
            Some(1),
        ),
        (
            "tcp",
            "0.0.0.0:25",
            "0.0.0.0:0",
            "LISTEN",
            "Debian-exim",
            &[],
            Some(0),
        ),
        (
            "udp",
            "127.0.0.53:53",
            "0.0.0.0:0",
            "UNCONN",
            "systemd-resolve",
            &[],
            None,
        ),
        (
            "tcp",
            "0.0.0.0:80",
            "0.0.0.0:0",
            "LISTEN",
            "root",
            &[620, 621, 622],
            Some(3),
        ),
        (
            "tcp6",
            "[::]:443",
            "[::]:0",
            "LISTEN",
            "root",
            &[620, 621, 622],
            Some(0),
        ),
        (
            "tcp",
            "0.0.0.0:3000",
            "0.0.0.0:0",
            "LISTEN",
            "site_shop",
            &[1802],
            Some(0),
        ),
        (
            "tcp",
            "127.0.0.1:5432",
            "0.0.0.0:0",
            "LISTEN",
            "postgres",
            &[700],
            Some(1),
        ),
        (
            "tcp",
            "127.0.0.1:6379",
            "0.0.0.0:0",
            "LISTEN",
            "site_shop",
            &[4300],
            Some(0),
        ),
        (
            "tcp",
            "10.0.0.5:8080",
            "0.0.0.0:0",
            "LISTEN",
            "mallory",
            &[4242],
            Some(0),
        ),
        (
            "tcp",
            "127.0.0.1:10011",
            "0.0.0.0:0",
            "LISTEN",
            "site_shop",
            &[1801],
            Some(2),
        ),
        (
            "tcp",
            "10.0.0.5:22",
            "203.0.113.9:51234",
            "ESTABLISHED",
            "root",
            &[5120],
            None,
        ),
        (
            "tcp",
            "127.0.0.1:5432",
            "127.0.0.1:41000",
            "ESTABLISHED",
            "postgres",
            &[731],
            None,
        ),
        (
            "tcp",
            "127.0.0.1:41000",
            "127.0.0.1:5432",
            "ESTABLISHED",
            "site_shop",
            &[1801],
            None,
        ),
        (
            "tcp",
            "127.0.0.1:10011",
            "127.0.0.1:41210",
            "TIME_WAIT",
            "root",
            &[],
            None,
        ),
    ];
    for (inode, &(proto, local, remote, state, user, holders, connections)) in
        (40_001u64..).zip(table.iter())
    {
        let local: std::net::SocketAddr = local.parse().unwrap_or(DEFAULT_ADDR);
        let socket = SocketEntry {
            proto,
            local,
            remote: remote.parse().unwrap_or(DEFAULT_ADDR),
            state,
            uid: 0,
            inode: if state == "TIME_WAIT" { 0 } else { inode },
        };
        let base = Port {
            exposure: Exposure::of(&local),
            pid: None,
            starttime: None,
            process: None,
            user: Arc::from(user),
            unit: None,
            site: None,
            connections,
            socket,
        };
        if holders.is_empty() {
            rows.push(base.clone());
        }
        for p in holders.iter().filter_map(|&pid| by_pid(pid)) {
            rows.push(base.held_by(p));
        }
    }
    rows
}

const DEFAULT_ADDR: std::net::SocketAddr =
    std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), 0);

/// `n` generated processes (for render benchmarks), with varied users and argv.
pub fn many(n: usize) -> Snapshot {
    let users = ["root", "www-data", "site_shop", "site_blog", "postgres"];
    let processes = (0..n)
        .map(|i| {
            let argv = [
                "/usr/bin/worker".to_string(),
                format!("--id={i}"),
                "--queue".into(),
                format!("jobs-{}", i % 17),
            ];
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            let pid = 100 + i as i32;
            let ppid = if i % 10 == 0 {
                1
            } else {
                100 + (i - i % 10) as i32
            };
            proc(
                pid,
                ppid,
                users[i % users.len()],
                i as u32 % 5,
                &argv,
                (i % 97) as f32 / 3.0,
                (i % 300) as u64,
                0,
                'S',
            )
        })
        .collect();
    Snapshot {
        host: "local".into(),
        taken_at_ms: 1_795_300_000_000,
        stats: stats(),
        processes,
        partial_reads: 0,
        skipped_kernel_threads: 0,
        ports: None,
    }
}
