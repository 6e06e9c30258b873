//! The jobs screen's two tables without a terminal: the session's jobs (keyed by job
//! id, newest last) and an open job's targets — an exec's per-host results — over
//! its output. Each table filters (substring, fuzzy, `!`), sorts on a column and
//! inverts, and keeps its marks on the same job or host when a refresh reorders the
//! rows (a new job, an outcome arriving). `?` lists the jobs keys and the global
//! ones; insta snapshots of the list and of an open exec at 80x24 and 160x40.

mod support;

use quarterdeck::actions::{Action, CommandTarget, Report, Target, TargetKind, TargetOutcome};
use quarterdeck::ssh::{Host, HostSource};
use quarterdeck::tui::app::{App, Popup};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::propose::dispatch;
use quarterdeck::tui::screen::Screen;
use quarterdeck::tui::update::update;
use support::tui::*;

fn host(name: &str) -> Host {
    Host {
        name: name.into(),
        address: "10.0.0.5".into(),
        port: 22,
        user: "deploy".into(),
        identities: vec![],
        tags: vec![],
        source: HostSource::Config,
        note: None,
    }
}

fn run_cmd(command: &str, services: &[(&str, &str)]) -> Action {
    Action::Command {
        command: command.into(),
        targets: services
            .iter()
            .map(|(site, service)| CommandTarget {
                site: site.to_string(),
                service: service.to_string(),
            })
            .collect(),
    }
}

fn exec(hosts: &[&str]) -> Action {
    Action::Exec {
        hosts: hosts.iter().map(|h| host(h)).collect(),
        command: "uptime".into(),
        parallel: 8,
        timeout: None,
    }
}

/// Dispatches `action` as the TUI does after its confirmation: the job's id.
fn start(a: &mut App, action: Action) -> usize {
    match dispatch(a, action).as_slice() {
        [Effect::Dispatch { job, .. }] => job.id,
        other => panic!("{other:?}"),
    }
}

fn service_outcome(label: &str, ok: bool) -> TargetOutcome {
    let (site, service) = label.split_once('/').expect("site/service");
    let t = Target::local(TargetKind::Service {
        site: site.into(),
        service: service.into(),
        unit: None,
    });
    TargetOutcome::new(
        t,
        if ok {
            Ok("exited with status 0".into())
        } else {
            Err("exited with status 2".into())
        },
    )
}

fn host_outcome(name: &str, r: Result<&str, &str>) -> TargetOutcome {
    let t = Target {
        host: name.into(),
        kind: TargetKind::Host {
            name: name.into(),
            remote: format!("deploy@{name}:22"),
        },
    };
    TargetOutcome::new(t, r.map(String::from).map_err(String::from))
}

fn finish(a: &mut App, id: usize, outcomes: Vec<TargetOutcome>) {
    let report = Report {
        action: "x".into(),
        job: format!("1-{id}"),
        outcomes,
    };
    update(a, Msg::ActionDone(id, Ok(report)));
}

/// Three jobs: 1 `run build` (one of two failed), 2 `run migrate` (done), 3 `run seed`
/// (running); the jobs list on screen.
fn three_jobs(w: u16, h: u16) -> App {
    let mut a = app(w, h);
    let j1 = start(
        &mut a,
        run_cmd("build", &[("shop", "api"), ("shop", "web")]),
    );
    finish(
        &mut a,
        j1,
        vec![
            service_outcome("shop/api", true),
            service_outcome("shop/web", false),
        ],
    );
    let j2 = start(&mut a, run_cmd("migrate", &[("shop", "api")]));
    finish(&mut a, j2, vec![service_outcome("shop/api", true)]);
    start(&mut a, run_cmd("seed", &[("blog", "php")]));
    keys(&mut a, ":jobs\n");
    assert_eq!(a.screen, Screen::Jobs);
    assert_eq!(a.screens.jobs.open_id(), None);
    a
}

/// The job ids in view order.
fn job_rows(a: &App) -> Vec<usize> {
    let t = a.screens.jobs.list();
    t.state
        .rows
        .iter()
        .map(|r| a.data.jobs.list[r.idx].id)
        .collect()
}

/// The open job's target labels in view order.
fn target_rows(a: &App) -> Vec<String> {
    let id = a.screens.jobs.open_id().expect("a job is open");
    let job = a.data.jobs.get(id).expect("job");
    let t = a.screens.jobs.targets();
    t.state
        .rows
        .iter()
        .map(|r| job.targets[r.idx].0.clone())
        .collect()
}

fn click(a: &mut App, x: u16, y: u16) {
    use ratatui::crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let m = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    update(a, Msg::Term(Event::Mouse(m)));
}

/// Durations (`3ms`, `1.2s`) vary per run: `[t]` in snapshots.
fn scrub(t: &str) -> String {
    t.lines()
        .map(|l| {
            l.split(' ')
                .map(|w| {
                    let num = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                    let unit = &w[num.len()..];
                    let timed = !num.is_empty()
                        && num.chars().all(|c| c.is_ascii_digit() || c == '.')
                        && matches!(unit, "ms" | "s" | "m");
                    if timed { "[t]" } else { w }.to_string()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_jobs_table_filters_and_sorts_newest_last() {
    let mut a = three_jobs(100, 24);
    assert_eq!(job_rows(&a), [1, 2, 3], "newest last");
    let sel = a.screens.jobs.list().state.selected;
    assert_eq!(job_rows(&a)[sel], 3, "the newest is selected");
    keys(&mut a, ":filter build\n");
    assert_eq!(job_rows(&a), [1], "substring");
    keys(&mut a, ":filter mgrt\n");
    assert_eq!(job_rows(&a), [2], "fuzzy on the action");
    keys(&mut a, ":filter !build\n");
    assert_eq!(job_rows(&a), [2, 3], "! excludes");
    keys(&mut a, ":filter shop/web\n");
    assert_eq!(job_rows(&a), [1], "a target's label matches its job");
    keys(&mut a, ":clear-filter\n");
    assert_eq!(job_rows(&a), [1, 2, 3]);
    // Running first, then what went wrong, then what is done; I inverts.
    keys(&mut a, ":sort state\n");
    assert_eq!(job_rows(&a), [3, 1, 2]);
    keys(&mut a, "I");
    assert_eq!(job_rows(&a), [2, 1, 3]);
    keys(&mut a, ":sort targets\n");
    assert_eq!(job_rows(&a)[2], 1, "the job of two targets is last");
    let err = keys(&mut a, ":sort cpu\n");
    assert!(err.is_empty());
    let status = a.status.as_ref().map(|s| s.1.clone()).unwrap_or_default();
    assert!(status.contains("no column `cpu`"), "{status}");
}

#[test]
fn marks_stay_on_their_jobs_when_a_new_job_reorders_the_rows() {
    let mut a = three_jobs(100, 24);
    // Newest first: 3 2 1. Mark job 2 (Space marks and moves down).
    keys(&mut a, ":sort id\nI");
    assert_eq!(job_rows(&a), [3, 2, 1]);
    keys(&mut a, "gj ");
    assert_eq!(a.screens.jobs.list().marked(), 1);
    // A new job comes in at the top: every row moves down one.
    let j4 = start(&mut a, Action::DaemonReload);
    assert_eq!(
        a.screens.jobs.open_id(),
        None,
        "only commands and execs open"
    );
    assert_eq!(job_rows(&a), [j4, 3, 2, 1]);
    let marked: Vec<usize> = a
        .screens
        .jobs
        .list()
        .targets(&a.data)
        .into_iter()
        .map(|i| a.data.jobs.list[i].id)
        .collect();
    assert_eq!(marked, [2], "still job 2");
    let t = text(&screen(&a));
    let star: Vec<&str> = t.lines().filter(|l| l.starts_with('*')).collect();
    assert_eq!(star.len(), 1, "{t}");
    assert!(star[0].contains("run migrate"), "{t}");
    // Enter opens the selection (job 1, below the mark), Esc closes, Esc leaves.
    keys(&mut a, "\n");
    assert_eq!(a.screens.jobs.open_id(), Some(1));
    keys(&mut a, "\x1b");
    assert_eq!((a.screen, a.screens.jobs.open_id()), (Screen::Jobs, None));
    keys(&mut a, "\x1b");
    assert_eq!(a.screen, Screen::Processes);
}

/// An exec on web1, web2, db1 opened as it starts, with each host's output.
fn exec_job(w: u16, h: u16) -> (App, usize) {
    let mut a = app(w, h);
    let id = start(&mut a, exec(&["web1", "web2", "db1"]));
    assert_eq!(a.screens.jobs.open_id(), Some(id), "an exec opens its job");
    for i in 0..30 {
        for h in ["web1", "web2", "db1"] {
            let line = format!("{h} line {i}");
            update(&mut a, Msg::JobOutput(id, h.into(), line));
        }
    }
    update(
        &mut a,
        Msg::Progress(id, host_outcome("web2", Err("exit 2"))),
    );
    update(
        &mut a,
        Msg::Progress(id, host_outcome("web1", Ok("exit 0 (12ms)"))),
    );
    (a, id)
}

#[test]
fn exec_results_filter_sort_and_narrow_the_output() {
    let (mut a, _) = exec_job(120, 30);
    assert_eq!(target_rows(&a), ["web1", "web2", "db1"], "action order");
    keys(&mut a, ":filter web\n");
    assert_eq!(target_rows(&a), ["web1", "web2"]);
    keys(&mut a, ":filter wb2\n");
    assert_eq!(target_rows(&a), ["web2"], "fuzzy on the host");
    keys(&mut a, ":filter !web\n");
    assert_eq!(target_rows(&a), ["db1"]);
    // The output shows the lines of the hosts shown.
    let t = text(&screen(&a));
    assert!(t.contains("[db1] db1 line 29"), "{t}");
    assert!(!t.contains("web1 line"), "{t}");
    assert!(t.contains("── output of the targets shown"), "{t}");
    keys(&mut a, ":clear-filter\n");
    // Running first, then failures, then ok; I inverts.
    keys(&mut a, ":sort outcome\n");
    assert_eq!(target_rows(&a), ["db1", "web2", "web1"]);
    keys(&mut a, "I");
    assert_eq!(target_rows(&a), ["web1", "web2", "db1"]);
    keys(&mut a, ":sort host\n");
    assert_eq!(
        target_rows(&a),
        ["db1", "web1", "web2"],
        "by name (alias host)"
    );
}

#[test]
fn exec_result_marks_stay_on_their_hosts_when_an_outcome_reorders_them() {
    let (mut a, id) = exec_job(120, 30);
    keys(&mut a, ":sort outcome\n");
    assert_eq!(target_rows(&a), ["db1", "web2", "web1"]);
    // The moves scroll the output: a target is selected with the mouse (the table
    // is under the title line, its first row under its header), then Space marks it.
    click(&mut a, 5, 2);
    keys(&mut a, " ");
    // db1 times out: it sorts after web2 now (failed before timeout).
    let mut t = host_outcome("db1", Err("connect: timed out"));
    t.outcome = quarterdeck::actions::Outcome::Timeout;
    update(&mut a, Msg::Progress(id, t));
    assert_eq!(target_rows(&a), ["web2", "db1", "web1"]);
    let job = a.data.jobs.get(id).expect("job");
    let marked: Vec<&str> = a
        .screens
        .jobs
        .targets()
        .targets(&a.data)
        .into_iter()
        .map(|i| job.targets[i].0.as_str())
        .collect();
    assert_eq!(marked, ["db1"]);
    // `r`: the failed hosts, through the confirmation; `x` on a finished job says so.
    finish(&mut a, id, Vec::new());
    keys(&mut a, "r");
    match &a.popup {
        Some(Popup::Confirm {
            action: Action::Exec { hosts, .. },
            ..
        }) => {
            let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
            assert_eq!(names, ["web2", "db1"]);
        }
        p => panic!("{p:?}"),
    }
    keys(&mut a, "\x1b");
    keys(&mut a, "x");
    let status = a.status.as_ref().map(|s| s.1.clone()).unwrap_or_default();
    assert!(status.contains("is not running"), "{status}");
}

#[test]
fn the_open_jobs_output_scrolls_back_and_follows_the_end() {
    let (mut a, _) = exec_job(100, 24);
    let t = text(&screen(&a));
    assert!(t.contains("db1 line 29") && t.contains("following"), "{t}");
    // Up scrolls the output back one line, a page back hides the end.
    keys(&mut a, "k");
    let t = text(&screen(&a));
    assert!(
        !t.contains("db1 line 29") && t.contains("web2 line 29"),
        "{t}"
    );
    assert!(t.contains("paused"), "{t}");
    keys(&mut a, "g");
    let t = text(&screen(&a));
    assert!(t.contains("web1 line 0"), "the first line at the top: {t}");
    // Down from the top moves at once (no dead scrolling past the top).
    keys(&mut a, "j");
    assert!(!text(&screen(&a)).contains("web1 line 0"));
    keys(&mut a, "G");
    let t = text(&screen(&a));
    assert!(t.contains("db1 line 29") && t.contains("following"), "{t}");
}

#[test]
fn help_on_the_jobs_screen_lists_its_keys_and_the_global_ones() {
    let mut a = three_jobs(110, 50);
    keys(&mut a, "?");
    assert!(matches!(a.popup, Some(Popup::Help { .. })), "{:?}", a.popup);
    let t = text(&screen(&a));
    for want in [
        "Keys: jobs",
        "Open the job: its targets and output",
        "Cancel the running job",
        "Retry only the failed targets",
        "Keys: everywhere",
        "Command line",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
}

#[test]
fn snapshots_of_the_jobs_list_and_an_open_exec() {
    for (w, h) in [(80, 24), (160, 40)] {
        let a = three_jobs(w, h);
        insta::assert_snapshot!(format!("jobs_{w}x{h}"), scrub(&text(&screen(&a))));
        let (a, _) = exec_job(w, h);
        insta::assert_snapshot!(format!("exec_job_{w}x{h}"), scrub(&text(&screen(&a))));
    }
}

#[test]
fn an_export_of_the_exec_results_writes_the_rows_shown_in_their_order() {
    let (mut a, _) = exec_job(120, 30);
    keys(&mut a, ":filter !db1\n:sort outcome\n");
    let fx = keys(&mut a, ":export json /tmp/qd-test-exec.json\n");
    let [
        Effect::Dispatch {
            action:
                Action::Export {
                    table,
                    content,
                    rows,
                    ..
                },
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!((table.as_str(), *rows), ("job-targets", 2));
    let v: serde_json::Value = serde_json::from_slice(content).expect("json");
    let rows = v["job-targets"].as_array().expect("array");
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["target"].as_str().unwrap_or(""),
                r["outcome"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(got, [("web2", "failed"), ("web1", "ok")]);
}
