//! `qd audit [--since D] [--json] [--follow]`: the audit log, oldest first, as a
//! table (text made inert) or one JSON record per line.

use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::audit::{self, Record};
use crate::model::text::inert;
use std::path::Path;
use std::time::Duration;

const HEADER: [&str; 7] = [
    "TIME", "OPERATOR", "SITE", "TARGET", "ACTION", "OUTCOME", "MESSAGE",
];

fn print(records: &[Record], json: bool, header: bool) {
    if json {
        for r in records {
            if let Ok(s) = crate::model::text::json(r, false) {
                println!("{s}");
            }
        }
        return;
    }
    let rows: Vec<Vec<String>> = records.iter().map(Record::columns).collect();
    let text = super::table::render(&HEADER, &rows);
    let text = if header {
        text.as_str()
    } else {
        text.split_once('\n').map(|(_, rest)| rest).unwrap_or("")
    };
    print!("{text}");
}

/// `qd audit`: the records `visible` lets this operator see (admins: all; others:
/// their own and their sites'), as a table or JSON lines, optionally followed.
pub fn run(
    dir: &Path,
    since: Option<&str>,
    json: bool,
    follow: bool,
    visible: &dyn Fn(&Record) -> bool,
) -> i32 {
    let since_ms = match since {
        None => 0,
        Some(s) => match crate::config::duration::parse(s) {
            Ok(d) => audit::now_ms().saturating_sub(d.as_millis() as u64),
            Err(m) => {
                eprintln!("qd: --since: {m}");
                return EXIT_USAGE;
            }
        },
    };
    let (records, bad) = match audit::read(dir, since_ms) {
        Ok(r) => r,
        Err(m) => {
            eprintln!("qd: {m}");
            return EXIT_FAILED;
        }
    };
    if bad > 0 {
        eprintln!(
            "qd: {bad} line(s) of the audit log in {} could not be read",
            inert(&dir.display().to_string(), 200)
        );
    }
    if records.is_empty() && !json && !follow {
        println!("no audit records in {}", dir.display());
        return EXIT_OK;
    }
    let shown: Vec<Record> = records.iter().filter(|r| visible(r)).cloned().collect();
    print(&shown, json, true);
    if !follow {
        return EXIT_OK;
    }
    // Records with the last time already printed may be followed by more with the
    // same millisecond: skip as many as were printed.
    let mut last = records.last().map(|r| r.unix_ms).unwrap_or(since_ms);
    let mut seen_at_last = records.iter().filter(|r| r.unix_ms == last).count();
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let Ok((fresh, _)) = audit::read(dir, last) else {
            continue;
        };
        let mut at_last = 0;
        let new: Vec<Record> = fresh
            .into_iter()
            .filter(|r| {
                if r.unix_ms == last {
                    at_last += 1;
                    at_last > seen_at_last
                } else {
                    true
                }
            })
            .collect();
        if let Some(l) = new.last() {
            if l.unix_ms != last {
                last = l.unix_ms;
                seen_at_last = 0;
            }
            seen_at_last += new.iter().filter(|r| r.unix_ms == last).count();
            let shown: Vec<Record> = new.into_iter().filter(|r| visible(r)).collect();
            print(&shown, json, false);
        }
    }
}
