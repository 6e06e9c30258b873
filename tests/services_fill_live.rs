//! The TUI's unit watcher against a real, private `systemd --user` with 60 running
//! units (no mocks): the rows are published first with what the list call gives
//! (states) and, when systemd answers within 25 ms, the first screen's columns (else
//! those follow in the next list), every other column unknown; then every row's,
//! each equal to what systemd reports.
//!
//! One test in this binary: it points the process's session bus at the manager.

mod support;

use quarterdeck::model::services::UnitList;
use quarterdeck::model::site::Sites;
use quarterdeck::sources::unitwatch;
use quarterdeck::systemd::Bus;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::systemd::UserSystemd;

const N: usize = 60;
const SCREEN: usize = 10;

fn ours(l: &UnitList) -> Vec<&quarterdeck::model::unit::Unit> {
    l.units
        .iter()
        .filter(|u| u.unit.starts_with("qd-fill-"))
        .collect()
}

#[test]
fn sixty_units_are_listed_at_once_then_the_screen_then_every_row_is_filled() {
    let sd = UserSystemd::start();
    let names: Vec<String> = (0..N).map(|i| format!("qd-fill-{i:02}.service")).collect();
    for n in &names {
        sd.write_unit(n, "[Service]\nExecStart=/bin/sleep 1000\n");
    }
    sd.daemon_reload();
    let mut start = vec!["start"];
    start.extend(names.iter().map(String::as_str));
    assert!(sd.systemctl(&start).status.success());
    // SAFETY: set before any thread of this test binary reads the environment (the
    // one test here; the runtime below starts after).
    unsafe {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", sd.bus_address());
        std::env::set_var("XDG_RUNTIME_DIR", sd.runtime_dir());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // Every list the watcher publishes, captured as it publishes it.
    let seen: Arc<Mutex<Vec<Arc<UnitList>>>> = Arc::default();
    rt.block_on(async {
        let (tx, rx) = tokio::sync::watch::channel(Arc::new(UnitList::default()));
        let log = seen.clone();
        let _ctl = unitwatch::spawn(
            Bus::User,
            Arc::new(Sites::default()),
            tx,
            SCREEN,
            move |_rescan| {
                log.lock().expect("lock").push(rx.borrow().clone());
            },
        );
        let done = || {
            seen.lock().expect("lock").last().is_some_and(|l| {
                ours(l).len() == N
                    && l.units
                        .iter()
                        .all(|u| !u.props_pending && !u.detail_pending)
            })
        };
        let t = tokio::time::Instant::now();
        while !done() && t.elapsed() < Duration::from_secs(20) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let seen = seen.lock().expect("lock").clone();
    let first = seen.first().expect("a list was published");
    assert!(first.loaded && first.error.is_none(), "{:?}", first.error);
    let listed = ours(first);
    assert_eq!(listed.len(), N, "every unit in the first list");
    for u in &listed {
        assert_eq!(
            (&*u.load_state, &*u.active_state, &*u.sub_state),
            ("loaded", "active", "running"),
            "the states come with the list: {u:?}"
        );
    }
    // The first screen's columns may come with the rows; nothing else does.
    let screen_read = first.units.iter().take(SCREEN).all(|u| !u.props_pending);
    for (i, u) in first.units.iter().enumerate() {
        assert!(
            u.detail_pending,
            "no detail read before the rows are shown: {u:?}"
        );
        if i >= SCREEN || !screen_read {
            assert!(
                u.props_pending,
                "row {i} read before the rows are shown: {u:?}"
            );
            assert_eq!((u.main_pid, u.active_since_us), (0, 0));
        }
    }
    // Then the first screen (the table's first rows: their columns) alone, before
    // the rest.
    let second = seen
        .iter()
        .find(|l| l.units.iter().any(|u| !u.props_pending))
        .expect("a list with properties");
    let filled: Vec<usize> = (0..second.units.len())
        .filter(|&i| !second.units[i].props_pending)
        .collect();
    assert_eq!(
        filled,
        (0..SCREEN.min(second.units.len())).collect::<Vec<_>>(),
        "the first screen is read first"
    );
    let last = seen.last().expect("lists");
    assert!(
        last.units
            .iter()
            .all(|u| !u.props_pending && !u.detail_pending),
        "every row filled after the background fill ({} lists)",
        seen.len()
    );
    let mine = ours(last);
    assert_eq!(mine.len(), N);
    for u in mine {
        assert_eq!(u.main_pid.to_string(), sd.show(&u.unit, "MainPID"), "{u:?}");
        assert!(u.main_pid > 0);
        assert_eq!(u.restarts, 0);
        assert!(u.tasks.is_some_and(|t| t >= 1), "{u:?}");
        assert!(u.active_since_us > 0, "{u:?}");
        assert_eq!(u.unit_file_state, sd.show(&u.unit, "UnitFileState"));
        assert!(u.fragment_path.ends_with(&format!("/{}", u.unit)), "{u:?}");
    }
}
