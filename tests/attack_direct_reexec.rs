//! The TUI's unit watcher on a user manager's private socket across
//! `systemctl --user daemon-reexec`: systemd drops every private connection when it
//! re-executes (the bus connection survived it), and the watcher must follow the
//! manager again without an error in the table, however often that happens (a
//! package upgrade re-executes the manager; a long session sees many).
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

const UNIT: &str = "qd-reexec-a.service";

fn state(l: &UnitList) -> Option<String> {
    l.units
        .iter()
        .find(|u| u.unit == UNIT)
        .map(|u| u.active_state.to_string())
}

#[test]
fn the_watcher_follows_the_manager_across_daemon_reexec_without_an_error() {
    let sd = UserSystemd::start();
    sd.write_unit(UNIT, "[Service]\nExecStart=/bin/sleep 1000\n");
    sd.daemon_reload();
    assert!(sd.systemctl(&["start", UNIT]).status.success());
    // SAFETY: set before any thread of this test binary reads the environment.
    unsafe {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", sd.bus_address());
        std::env::set_var("XDG_RUNTIME_DIR", sd.runtime_dir());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let seen: Arc<Mutex<Vec<Arc<UnitList>>>> = Arc::default();
    rt.block_on(async {
        let (tx, rx) = tokio::sync::watch::channel(Arc::new(UnitList::default()));
        let log = seen.clone();
        let _ctl = unitwatch::spawn(Bus::User, Arc::new(Sites::default()), tx, 10, move |_| {
            log.lock().expect("lock").push(rx.borrow().clone())
        });
        let until = |want: &'static str| {
            let seen = seen.clone();
            async move {
                let t = tokio::time::Instant::now();
                while t.elapsed() < Duration::from_secs(15) {
                    let last = seen.lock().expect("lock").last().cloned();
                    if last
                        .as_ref()
                        .is_some_and(|l| l.error.is_none() && state(l).as_deref() == Some(want))
                    {
                        return true;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                false
            }
        };
        assert!(until("active").await, "the watcher never listed the unit");
        // Seven re-executions: past the watcher's doubling backoff (0.5 s .. 30 s).
        for round in 0..7 {
            let out = tokio::task::spawn_blocking({
                let runtime = sd.runtime_dir().to_path_buf();
                let bus = sd.bus_address();
                move || {
                    std::process::Command::new("systemctl")
                        .args(["--user", "daemon-reexec"])
                        .env("XDG_RUNTIME_DIR", runtime)
                        .env("DBUS_SESSION_BUS_ADDRESS", bus)
                        .output()
                        .expect("systemctl")
                }
            })
            .await
            .expect("join");
            assert!(out.status.success(), "daemon-reexec {round}: {out:?}");
            // The watcher is back within 3 s each time (a doubling backoff that is
            // never reset would take 0.5, 1, 2, 4, ... 30 s), with a fresh list.
            let before = seen.lock().expect("lock").len();
            let t = tokio::time::Instant::now();
            let back = loop {
                {
                    let seen = seen.lock().expect("lock");
                    if seen.len() > before
                        && seen.last().is_some_and(|l| {
                            l.error.is_none() && state(l).as_deref() == Some("active")
                        })
                    {
                        break true;
                    }
                }
                if t.elapsed() > Duration::from_secs(3) {
                    break false;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            };
            let errors = seen
                .lock()
                .expect("lock")
                .iter()
                .filter(|l| l.error.is_some())
                .count();
            assert!(
                back,
                "round {round}: not back within 3 s ({errors} errors so far)"
            );
        }
        // Then a change: the watcher must still follow systemd's signals, promptly (the
        // stopped unit is unloaded, so it is gone from the list or inactive).
        let stop = tokio::task::spawn_blocking({
            let runtime = sd.runtime_dir().to_path_buf();
            let bus = sd.bus_address();
            move || {
                std::process::Command::new("systemctl")
                    .args(["--user", "stop", UNIT])
                    .env("XDG_RUNTIME_DIR", runtime)
                    .env("DBUS_SESSION_BUS_ADDRESS", bus)
                    .output()
                    .expect("systemctl")
            }
        })
        .await
        .expect("join");
        assert!(stop.status.success(), "{stop:?}");
        let t = std::time::Instant::now();
        let followed = {
            let seen = seen.clone();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
            loop {
                let last = seen.lock().expect("lock").last().cloned();
                if last
                    .as_ref()
                    .is_some_and(|l| l.error.is_none() && state(l).as_deref() != Some("active"))
                {
                    break true;
                }
                if tokio::time::Instant::now() > deadline {
                    break false;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        assert!(
            followed,
            "the stop was not followed within 5 s (waited {:?}); last list: {:?}",
            t.elapsed(),
            seen.lock()
                .expect("lock")
                .last()
                .map(|l| (&l.error, state(l)))
        );
    });
    let seen = seen.lock().expect("lock");
    let errors: Vec<&String> = seen.iter().filter_map(|l| l.error.as_ref()).collect();
    assert!(
        errors.is_empty(),
        "the table showed errors across daemon-reexec: {errors:?}"
    );
}
