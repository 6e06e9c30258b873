//! A table export is an action: through the real dispatcher it is allowed for every
//! role and under --readonly, recorded (table, format, rows, path; never the
//! content), and written as a new 0600 file that never replaces one and follows no
//! link. The same under `sudo qd`, attacked by the operator: tests/export_sudo.rs.
//! Every body runs in a child process with its own environment
//! (support::export::in_child).

mod support;

use quarterdeck::actions::{Action, Operator, Role, Sig};
use quarterdeck::config::paths::exports_dir;
use quarterdeck::model::policy::PolicySpec;
use quarterdeck::tui::export::csv;
use serde_json::Value;
use std::path::Path;
use support::export::*;

fn records(dir: &Path) -> Vec<Value> {
    audit_text(&dir.join("audit"))
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON record per line"))
        .collect()
}

#[test]
fn an_export_is_a_new_0600_file_with_exactly_the_content() {
    let Some(dir) = in_child(
        "an_export_is_a_new_0600_file_with_exactly_the_content",
        |_| vec![],
    ) else {
        return;
    };
    let content = csv(
        &["NAME", "NOTE"],
        &[
            vec!["web1".into(), "=cmd|' /C calc'!A0".into()],
            vec!["db, 2".into(), "☕".into()],
        ],
    );
    assert_eq!(
        content,
        "NAME,NOTE\r\nweb1,'=cmd|' /C calc'!A0\r\n\"db, 2\",☕\r\n"
    );
    let p = dir.join("hosts.csv");
    let o = export(&open(&dir), &p, &content);
    assert!(o.ok(), "{o:?}");
    // The path is the target: the status line and the record say where.
    assert_eq!(o.label(), p.display().to_string(), "{o:?}");
    assert!(
        o.message.starts_with("exported 1 row of hosts as csv"),
        "{o:?}"
    );
    assert_eq!(std::fs::read_to_string(&p).expect("read"), content);
    assert_eq!(mode(&p), 0o600);
}

#[test]
fn a_second_export_to_the_same_name_is_refused_and_the_first_is_kept() {
    let Some(dir) = in_child(
        "a_second_export_to_the_same_name_is_refused_and_the_first_is_kept",
        |_| vec![],
    ) else {
        return;
    };
    let d = open(&dir);
    let p = dir.join("t.csv");
    assert!(export(&d, &p, "one\r\n").ok());
    let why = refused(&d, &p);
    assert_eq!(why, format!("{}: exists: choose another name", p.display()));
    assert_eq!(std::fs::read_to_string(&p).expect("read"), "one\r\n");
    // A FIFO there is refused at once (never opened, so nothing waits for a reader).
    let fifo = dir.join("fifo.csv");
    let c = std::ffi::CString::new(fifo.to_str().expect("utf8")).expect("c");
    // SAFETY: mkfifo(3) with a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    assert!(refused(&d, &fifo).ends_with("exists: choose another name"));
}

#[test]
fn a_link_as_the_file_or_as_a_parent_is_refused_and_its_target_untouched() {
    let Some(dir) = in_child(
        "a_link_as_the_file_or_as_a_parent_is_refused_and_its_target_untouched",
        |d| vec![var("XDG_STATE_HOME", d.join("state"))],
    ) else {
        return;
    };
    let d = open(&dir);
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").expect("write");
    let link = dir.join("out.csv");
    std::os::unix::fs::symlink(&victim, &link).expect("link");
    assert!(refused(&d, &link).ends_with("exists (a symbolic link): choose another name"));
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
    // A dangling link would create its target if followed.
    let dangling = dir.join("new.csv");
    std::os::unix::fs::symlink(dir.join("made-through-link"), &dangling).expect("link");
    refused(&d, &dangling);
    assert!(!dir.join("made-through-link").exists());
    // A link as a parent, the last one or one further up.
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    std::fs::create_dir(elsewhere.join("sub")).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, dir.join("ldir")).expect("link");
    for p in ["ldir/x.csv", "ldir/sub/x.csv"] {
        let why = refused(&d, &dir.join(p));
        assert!(
            why.contains(&format!(
                "{}: is a symbolic link",
                dir.join("ldir").display()
            )),
            "{why}"
        );
    }
    // The default dir is created when missing, never through a link: here the
    // state dir itself is one.
    std::os::unix::fs::symlink(&elsewhere, dir.join("state")).expect("link");
    let default = exports_dir().expect("the default dir");
    assert_eq!(default, dir.join("state/quarterdeck/exports"));
    let why = refused(&d, &default.join("t.csv"));
    assert!(why.contains("is a symbolic link"), "{why}");
    assert_eq!(names(&elsewhere), ["sub"]);
    assert!(names(&elsewhere.join("sub")).is_empty());
}

#[test]
fn the_audit_log_records_table_format_rows_and_path_never_the_content() {
    let Some(dir) = in_child(
        "the_audit_log_records_table_format_rows_and_path_never_the_content",
        |_| vec![],
    ) else {
        return;
    };
    let d = open(&dir);
    let p = dir.join("hosts.csv");
    let content = "NAME\r\nSECRET-CELL-7f3a\r\nb\r\nc\r\n";
    let report = d.dispatch(&csv_action(&p, content, 3)).expect("allowed");
    assert!(report.outcomes[0].ok(), "{report:?}");
    refused(&d, &p);
    let recs = records(&dir);
    let of_first: Vec<&Value> = recs.iter().filter(|r| r["job"] == report.job).collect();
    let outcomes: Vec<&str> = of_first
        .iter()
        .filter_map(|r| r["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["started", "ok", "finished"], "{recs:?}");
    let ok = of_first[1];
    assert_eq!(ok["action"], "export csv");
    assert_eq!(ok["target"], format!("file {}", p.display()));
    assert_eq!(
        ok["args"],
        format!("table=hosts format=csv rows=3 path={}", p.display())
    );
    // The refused second one has its record too, with the reason.
    let failed: Vec<&Value> = recs.iter().filter(|r| r["outcome"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{recs:?}");
    assert!(
        failed[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("exists"))
    );
    let log = audit_text(&dir.join("audit"));
    assert!(
        !log.contains("SECRET-CELL"),
        "the content is in the audit log: {log}"
    );
}

#[test]
fn every_role_may_export_under_readonly_and_a_failed_closed_policy_too() {
    let Some(dir) = in_child(
        "every_role_may_export_under_readonly_and_a_failed_closed_policy_too",
        |_| vec![],
    ) else {
        return;
    };
    let me = Operator::current().name;
    let untrusted = PolicySpec::Untrusted {
        reason: "the policy file is writable by others".into(),
    };
    let cases = [
        (rules(&me, Role::Readonly), false),
        (rules(&me, Role::Readonly), true),
        (rules(&me, Role::Developer), true),
        (rules("someone-else", Role::Admin), false),
        (PolicySpec::Open, true),
        (untrusted, false),
    ];
    for (i, (spec, readonly)) in cases.into_iter().enumerate() {
        let d = dispatcher(spec.clone(), readonly, &dir.join("audit"));
        // The same dispatcher refuses an action that changes something.
        let stop = Action::Signal {
            targets: vec![],
            sig: Sig::Stop,
        };
        assert!(d.check(&stop).is_err(), "case {i} is not restricted");
        let p = dir.join(format!("case{i}.csv"));
        assert!(d.check(&csv_action(&p, "", 0)).is_ok(), "case {i}");
        let o = export(&d, &p, "x\r\n");
        assert!(o.ok(), "case {i} ({spec:?}, readonly {readonly}): {o:?}");
    }
}

#[test]
fn a_relative_or_empty_path_is_an_error_and_nothing_is_written() {
    let Some(dir) = in_child(
        "a_relative_or_empty_path_is_an_error_and_nothing_is_written",
        |_| vec![],
    ) else {
        return;
    };
    std::env::set_current_dir(&dir).expect("cd");
    std::fs::create_dir(dir.join("sub")).expect("mkdir");
    let d = open(&dir);
    for (p, why) in [
        ("", "no path given"),
        ("out.csv", "out.csv: not an absolute path"),
        ("./out.csv", "not an absolute path"),
        ("sub/out.csv", "not an absolute path"),
    ] {
        let got = refused(&d, Path::new(p));
        assert!(got.contains(why), "{p:?}: {got}");
    }
    let climbs = format!("{}/sub/../out.csv", dir.display());
    assert!(refused(&d, Path::new(&climbs)).contains("`..`"));
    let slash = format!("{}/out.csv/", dir.display());
    assert!(refused(&d, Path::new(&slash)).contains("names a directory"));
    assert_eq!(names(&dir), ["audit", "sub"]);
    assert!(names(&dir.join("sub")).is_empty());
}
