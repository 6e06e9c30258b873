//! End to end: the real `qd` in tmux exports the table on screen — `:export csv` and
//! Ctrl-S to the exports dir of the operator's state dir, `:export json PATH` — with
//! exactly the rows the filter shows, mode 0600, and the status line says where.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use support::tmux::Tmux;
use support::*;

fn exports(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn the_filtered_process_table_exports_as_csv_and_json() {
    let token = format!("qdexport{}", std::process::id());
    let child = Command::new("sleep")
        .arg0(&token)
        .arg("1000")
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_exec(child.id());
    let victim = Proc { child, stdin: None };
    let t = Tmux::start("export", "", 160, 40);
    let dir = t.env.dir.path().join("state/quarterdeck/exports");
    t.keys(&["/"]);
    t.type_text(&token);
    t.keys(&["Enter"]);
    assert!(t.wait_for(&token, 5), "{}", t.screen());
    t.type_text(":export csv");
    t.keys(&["Enter"]);
    assert!(
        t.wait_for("exported 1 row of processes", 5),
        "{}",
        t.screen()
    );
    let files = exports(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    let meta = std::fs::metadata(&files[0]).expect("exported file");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let name = files[0].file_name().and_then(|n| n.to_str()).unwrap_or("");
    assert!(
        name.starts_with("processes-") && name.ends_with(".csv"),
        "{name}"
    );
    let csv = std::fs::read_to_string(&files[0]).expect("read");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "a header and the one filtered row:\n{csv}");
    assert!(lines[0].starts_with("PID,USER"), "{csv}");
    assert!(lines[1].starts_with(&format!("{},", victim.pid())), "{csv}");
    assert!(lines[1].contains(&token), "{csv}");

    // JSON to a path of our own, typed values.
    let path = t.env.dir.path().join("procs.json");
    t.type_text(&format!(":export json {}", path.display()));
    t.keys(&["Enter"]);
    assert!(t.wait_for("as json", 5), "{}", t.screen());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("json")).expect("parses");
    let rows = v["processes"]
        .as_array()
        .expect("an array named after the table");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["pid"].as_i64(), Some(victim.pid() as i64));
    assert!(rows[0]["rss_bytes"].is_number(), "{v}");
    // The same path again is refused: nothing is overwritten.
    t.type_text(&format!(":export json {}", path.display()));
    t.keys(&["Enter"]);
    assert!(t.wait_for("exists", 5), "{}", t.screen());
    // The refusal is listed in the results; Esc closes them.
    t.keys(&["Escape"]);
    // Ctrl-S: CSV to the exports dir again (a second file).
    t.keys(&["C-s"]);
    assert!(
        support::wait_until(std::time::Duration::from_secs(5), || exports(&dir).len()
            == 2),
        "{}",
        t.screen()
    );
    // Marked rows only, with none marked: said, nothing written.
    t.type_text(":export! csv");
    t.keys(&["Enter"]);
    assert!(t.wait_for("mark some first", 5), "{}", t.screen());
    t.keys(&["q"]);
    t.assert_restored();
    drop(victim);
}
