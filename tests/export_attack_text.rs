//! Attacks on the table export with hostile text, each as a test: a path holding a
//! newline, a forged record, bidi and C1 controls in the audit log and on the status
//! line, and cells (process names, remote output) meant to run in a spreadsheet or
//! a terminal, in the CSV and the JSON. Where the export writes:
//! tests/export_attack.rs.

mod support;

use quarterdeck::tui::export::{csv, json};
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
fn a_hostile_path_forges_no_audit_line_and_reaches_the_log_inert() {
    let Some(dir) = in_child(
        "a_hostile_path_forges_no_audit_line_and_reaches_the_log_inert",
        |_| vec![],
    ) else {
        return;
    };
    let d = open(&dir);
    // A newline and a record after it, a bidi override, a C1 CSI (U+009B), OSC 52.
    let name = "a\n{\"outcome\":\"forged\"}\n\u{202e}vsc.\u{9b}2J\x1b]52;c;eA==\x07.csv";
    let p = dir.join(name);
    let o = export(&d, &p, "x\r\n");
    assert!(o.ok(), "{o:?}");
    let log = audit_text(&dir.join("audit"));
    let recs = records(&dir);
    assert_eq!(log.lines().count(), recs.len());
    assert!(recs.iter().all(|r| r["outcome"] != "forged"), "{recs:?}");
    let ok = recs
        .iter()
        .find(|r| r["outcome"] == "ok")
        .expect("ok record");
    assert_eq!(
        ok["target"],
        format!("file {}", p.display()),
        "stored exactly"
    );
    // Broke: the bidi override and the C1 control were in the log as themselves.
    let bad: Vec<char> = log
        .chars()
        .filter(|&c| c != '\n' && quarterdeck::model::text::is_unsafe(c))
        .collect();
    assert!(bad.is_empty(), "{bad:?} in the log as is");
    assert!(log.contains("\\u202e") && log.contains("\\u009b"));
}

#[test]
fn the_status_line_shows_a_hostile_path_inert() {
    use quarterdeck::tui::app::Level;
    let Some(dir) = in_child("the_status_line_shows_a_hostile_path_inert", |_| vec![]) else {
        return;
    };
    // The operator's cwd, where a relative PATH lands, named by someone else.
    let p = dir.join("\x1b]52;c;cm0gLXJmIH4=\x07\u{202e}x.csv");
    let o = export(&open(&dir), &p, "x\r\n");
    assert!(o.ok(), "{o:?}");
    let mut a = support::tui::app(220, 30);
    // What the status line says of a single ok target: its label (the path), then the message.
    a.set_status(Level::Ok, format!("{}: {}", o.label(), o.message));
    let shown = support::tui::text(&support::tui::screen(&a));
    assert!(
        shown.contains("\\e]52;c;cm0gLXJmIH4=\\x07\\u{202e}x.csv"),
        "{shown}"
    );
    assert!(!shown.contains(['\x1b', '\x07', '\u{202e}']));
}

/// The fields of `text` as a spreadsheet splits them on `sep`, quotes honoured.
fn fields(text: &str, sep: char) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if cur.is_empty() => quoted = true,
            c if !quoted && (c == sep || c == '\n') => out.push(std::mem::take(&mut cur)),
            '\r' if !quoted && chars.peek() == Some(&'\n') => {}
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[test]
fn hostile_cells_reach_the_csv_inert_for_terminals_and_spreadsheets() {
    let formula = "cmd|' /C calc'!A0";
    let mut cells = Vec::new();
    for start in ['=', '+', '-', '@'] {
        for before in [
            "", " ", "  ", "\t", "\n", "\r", "\r\n", "\u{a0}", "\u{3000}", "\x1b", "\u{feff}",
            "\u{200b}", "\"", "'",
        ] {
            cells.push(format!("{before}{start}{formula}"));
        }
        // Another locale's separator, or a tab, then a formula: a cell of its own.
        for sep in [",", ";", "\t", "\n", "\r\n", "\r", " ;", "; "] {
            cells.push(format!("ok{sep}{start}{formula}"));
        }
    }
    cells.extend(
        [
            "\x1b]52;c;cm0gLXJmIH4=\x07",
            "\x1b[2J\x1b[H",
            "\u{9b}31m",
            "nul\0here",
            "del\x7f",
            "\u{202e}gpj.exe",
            "line\u{2028}sep",
            "ro\u{200b}ot",
        ]
        .map(String::from),
    );
    let rows: Vec<Vec<String>> = cells.iter().map(|c| vec![c.clone(), "x".into()]).collect();
    let out = csv(&["CELL", "NEXT"], &rows);
    // Nothing in the file acts on a terminal: CR only in the CRLF ending records.
    let body = out.replace("\r\n", "");
    let bad: Vec<char> = body
        .chars()
        .filter(|&c| c != '\n' && c != '\t' && quarterdeck::model::text::is_unsafe(c))
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    for sep in [',', ';', '\t'] {
        for f in fields(&out, sep) {
            let runs = f.starts_with('\t') || f.trim_start().starts_with(['=', '+', '-', '@']);
            assert!(!runs, "split on {sep:?}, a cell runs: {f:?}");
        }
    }
    // Read back on commas: two fields a row and the header (and the empty one after
    // the last CRLF); a newline in a cell stays in its quotes.
    assert_eq!(fields(&out, ',').len(), 2 * (rows.len() + 1) + 1);
}

#[test]
fn hostile_cells_reach_the_json_escaped_and_exact() {
    let hostile = [
        "\x1b]52;c;cm0gLXJmIH4=\x07",
        "\u{9b}2J",
        "\u{85}next line",
        "del\x7f",
        "\u{202e}gpj.exe",
        "line\u{2028}sep\u{2029}",
        "ro\u{200b}ot\u{feff}",
        "tag\u{E0001}\u{E0068}",
        "nul\0cr\rlf\n",
    ];
    let rows: Vec<Value> = hostile
        .iter()
        .map(|h| {
            let mut m = serde_json::Map::new();
            m.insert("name".into(), Value::from(*h));
            m.insert(h.to_string(), Value::from(1));
            Value::Object(m)
        })
        .collect();
    let out = json("processes", rows.clone());
    let bad: Vec<char> = out
        .chars()
        .filter(|&c| c != '\n' && quarterdeck::model::text::is_unsafe(c))
        .collect();
    assert!(bad.is_empty(), "{bad:?} as is in the JSON");
    let back: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(
        back,
        serde_json::json!({ "processes": rows }),
        "exactly the same"
    );
}
