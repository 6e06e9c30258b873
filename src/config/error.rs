//! Config errors that say what and where: file, line, column, key.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based; 0 when the error has no position (file unreadable).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        } else {
            write!(f, "{}: {}", self.path.display(), self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    pub fn at(path: &Path, text: &str, offset: Option<usize>, message: impl Into<String>) -> Self {
        let (line, column) = offset.map(|o| line_col(text, o)).unwrap_or((0, 0));
        Self {
            path: path.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }

    pub fn from_toml(path: &Path, text: &str, e: &toml::de::Error) -> Self {
        let at = e.span().map(|s| s.start);
        let msg = e.message().trim_end();
        let msg = match at.and_then(|o| key_at(text, o)) {
            Some(key) => format!("{key}: {msg}"),
            None => msg.to_string(),
        };
        Self::at(path, text, at, msg)
    }
}

/// The dotted key (`general.refresh_ms`, `keys.on`) assigned on the line holding
/// `offset`, with the table header above it, so type errors name the key.
pub fn key_at(text: &str, offset: usize) -> Option<String> {
    let start = text.get(..offset)?.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('#') || key.starts_with('[') {
        return None;
    }
    let table = text[..start].lines().rev().find_map(|l| {
        let l = l.trim();
        l.strip_prefix("[[")
            .and_then(|r| r.split_once("]]"))
            .or_else(|| l.strip_prefix('[').and_then(|r| r.split_once(']')))
            .map(|(t, _)| t.trim().to_string())
    });
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// Line numbers of many offsets in one text, each found by binary search (computing
/// each from the start would make a file of many entries quadratic).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(super::line_col("ab\ncd", 0), (1, 1));
        assert_eq!(super::line_col("ab\ncd", 4), (2, 2));
        let idx = super::LineIndex::new("ab\ncd\n");
        assert_eq!(
            (idx.line(0), idx.line(2), idx.line(3), idx.line(6)),
            (1, 1, 2, 3)
        );
    }
}
