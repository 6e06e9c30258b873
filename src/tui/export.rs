//! What a table export writes, as pure functions of the rows: CSV (RFC 4180, with
//! formula cells and terminal escapes made inert) and JSON (`{"<table>": [ ... ]}`
//! with typed values, every unsafe character `\u`-escaped). The screens build the
//! rows (what the table shows: its filter, its sort, all its columns); the file is
//! written by `actions::Action::Export`, never here.

/// Cells a spreadsheet would run as a formula (or an old DDE command) begin with one
/// of these, or with blanks and then one (LibreOffice's "trim spaces" import drops
/// them); such a cell is prefixed with `'`, which shows as text and runs nothing.
const FORMULA_START: [char; 4] = ['=', '+', '-', '@'];

/// A leading tab alone is one too (OWASP lists it; CR as well, which never gets here:
/// `inert_lines` has written it as `\r`).
fn formula_like(cell: &str) -> bool {
    cell.starts_with('\t') || cell.trim_start().starts_with(FORMULA_START)
}

/// One CSV field: its foreign text made inert (`model::text::inert_lines`: nothing in
/// it acts on a terminal that shows the file), made inert as a formula when it
/// starts like one, then quoted when it holds a comma, a quote or a newline (quotes
/// doubled), as RFC 4180 says, or a `;` or a tab: the separators of other locales
/// and importers, after which a formula would start a cell of its own.
fn field(cell: &str, out: &mut String) {
    let cell = crate::model::text::inert_lines(cell);
    let inert = formula_like(&cell);
    let quote = cell.contains([',', '"', '\n', ';', '\t']);
    if quote {
        out.push('"');
    }
    if inert {
        out.push('\'');
    }
    if quote {
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&cell);
    }
}

fn record<S: AsRef<str>>(cells: &[S], out: &mut String) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(c.as_ref(), out);
    }
    out.push_str("\r\n");
}

/// The header line, then one line per row, each ended by CRLF. An empty table is its
/// header line alone (nothing at all without headers).
pub fn csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    if !headers.is_empty() {
        record(headers, &mut out);
    }
    for r in rows {
        record(r, &mut out);
    }
    out
}

/// `{"<table>": [row, ...]}`, pretty, ended by a newline.
pub fn json(table: &str, rows: Vec<serde_json::Value>) -> String {
    let mut m = serde_json::Map::new();
    m.insert(table.to_string(), serde_json::Value::Array(rows));
    // A Value always serializes (its keys are strings); were it ever to fail, the
    // file says so rather than holding half a table.
    let text = crate::model::text::json(&serde_json::Value::Object(m), true)
        .unwrap_or_else(|e| serde_json::json!({ "error": e }).to_string());
    text + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        let out = csv(
            &["name", "note"],
            &[
                row(&["plain", "a,b"]),
                row(&["say \"hi\"", "two\nlines"]),
                row(&["semi;colon", "tab\there"]),
            ],
        );
        assert_eq!(
            out,
            "name,note\r\nplain,\"a,b\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n\"semi;colon\",\"tab\there\"\r\n"
        );
        // CR, which would overwrite the line in a terminal, is written as `\r`.
        assert_eq!(csv(&[], &[row(&["cr\rhere"])]), "cr\\rhere\r\n");
    }

    #[test]
    fn every_formula_start_is_made_inert() {
        for (cell, want) in [
            ("=1+2", "'=1+2"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            // A tab also needs quotes: the prefix goes inside them.
            ("\tx", "\"'\tx\""),
            // After blanks too; CR is escaped, so its cell starts with `\`.
            ("  =1+2", "'  =1+2"),
            ("\u{a0}@SUM(A1)", "'\u{a0}@SUM(A1)"),
            ("\rx", "\\rx"),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
        ] {
            assert_eq!(csv(&[], &[row(&[cell])]), format!("{want}\r\n"), "{cell:?}");
        }
        // Only at the start: inside a cell they are text already.
        assert_eq!(csv(&[], &[row(&["a=b", "1-2"])]), "a=b,1-2\r\n");
    }

    #[test]
    fn an_empty_table_is_its_header_line() {
        assert_eq!(csv(&["PID", "NAME"], &[]), "PID,NAME\r\n");
        assert_eq!(csv(&[], &[]), "");
        let v: serde_json::Value = serde_json::from_str(&json("hosts", vec![])).expect("json");
        assert_eq!(v, json!({"hosts": []}));
    }

    #[test]
    fn unicode_is_kept_as_is() {
        let out = csv(&["名前"], &[row(&["café ☕", "ünï,çødé"])]);
        assert_eq!(out, "名前\r\ncafé ☕,\"ünï,çødé\"\r\n");
    }

    #[test]
    fn json_parses_back_with_the_same_typed_values() {
        let rows = vec![
            json!({"pid": 1234, "name": "nginx \"x\"", "rss_bytes": 1_u64 << 40, "cpu": 1.5}),
            json!({"pid": 1, "name": "systemd\n☕", "rss_bytes": 0, "unit": null}),
        ];
        let text = json("processes", rows.clone());
        assert!(
            text.ends_with("}\n") && text.contains("\n  \"processes\""),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, json!({ "processes": rows }));
        assert_eq!(back["processes"][0]["rss_bytes"].as_u64(), Some(1 << 40));
    }
}
