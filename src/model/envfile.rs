//! Environment files as systemd's EnvironmentFile= reads them, validated: one
//! `KEY=VALUE` per line, `#` comments, blank lines, values optionally quoted.
//! Errors name the line and what is wrong, never the text of the line.

/// A variable name: letters, digits and `_`, not starting with a digit.
pub fn is_key(key: &str) -> bool {
    key.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The variables of `text`, or the first bad line (1-based) and what is wrong.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, (usize, String)> {
    let mut vars = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            // Never the line itself: the file may not be an env file at all (a
            // planted link to /etc/shadow), and errors reach logs and screens.
            return Err((i + 1, "not KEY=VALUE".into()));
        };
        let key = key.trim();
        if !is_key(key) {
            return Err((
                i + 1,
                "the name before `=` is not a variable name (letters, digits, _)".into(),
            ));
        }
        let v = value.trim();
        let v = match (v.chars().next(), v.chars().last()) {
            (Some(q @ ('"' | '\'')), Some(e)) if v.len() >= 2 && e == q => &v[1..v.len() - 1],
            (Some('"' | '\''), _) => {
                return Err((i + 1, "the quote is not closed".into()));
            }
            _ => v,
        };
        vars.push((key.to_string(), v.to_string()));
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::parse;
    #[test]
    fn accepts_systemd_env_files_and_names_bad_lines() {
        let ok = parse("# c\nPORT=3000\n\nexport NODE_ENV=\"production\"\nEMPTY=\n").unwrap();
        assert_eq!(
            ok,
            vec![
                ("PORT".into(), "3000".into()),
                ("NODE_ENV".into(), "production".into()),
                ("EMPTY".into(), "".into())
            ]
        );
        assert_eq!(parse("A=1\nnot a var\n").unwrap_err().0, 2);
        assert_eq!(parse("1X=2").unwrap_err().0, 1);
        assert_eq!(parse("A=\"open").unwrap_err().0, 1);
    }
}
