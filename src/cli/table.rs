//! Plain-text tables for the headless commands, foreign text made inert.

use crate::model::text::inert;

/// Writes rows as left-aligned columns; the last column is not padded. Cells are
/// made inert first, so widths are those of what is printed.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let n = header.len();
    let cells: Vec<Vec<std::borrow::Cow<str>>> =
        std::iter::once(header.iter().map(|h| inert(h, 64)).collect())
            .chain(
                rows.iter()
                    .map(|r| r.iter().map(|c| inert(c, 4096)).collect()),
            )
            .collect();
    let mut widths = vec![0usize; n];
    for r in &cells {
        for (i, c) in r.iter().enumerate().take(n.saturating_sub(1)) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in &cells {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 < n {
                line.push_str(&format!("{:<w$} ", c, w = widths[i]));
            } else {
                line.push_str(c);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn renders_inert_aligned_columns() {
        let t = render(&["A", "B"], &[vec!["x\x1b[2J".into(), "y\nz".into()]]);
        assert_eq!(t, "A      B\nx\\e[2J y\\nz\n");
    }
}
