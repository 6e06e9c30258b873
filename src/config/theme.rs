//! Themes as data: TOML files of semantic styles (`selection`, `danger`, `muted`...),
//! parsed and validated here without any terminal library; the TUI turns them into
//! its own styles. Built-in themes are compiled in from `themes/`; a user's themes
//! live in `$XDG_CONFIG_HOME/quarterdeck/themes/NAME.toml` and win over built-ins.

use super::error::ConfigError;
use serde::Deserialize;
use std::path::Path;

/// The largest user theme file read (a theme is a few dozen lines).
const THEME_MAX: usize = 64 * 1024;

pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Reset,
    /// One of the 16 ANSI colours, by index 0-15.
    Ansi(u8),
    Indexed(u8),
    Rgb(u8, u8, u8),
}

const NAMES: [&str; 16] = [
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "darkgray",
    "lightred",
    "lightgreen",
    "lightyellow",
    "lightblue",
    "lightmagenta",
    "lightcyan",
    "white",
];

impl Color {
    pub fn parse(s: &str) -> Result<Self, String> {
        let l = s.trim().to_ascii_lowercase().replace(['_', '-', ' '], "");
        if l == "reset" || l == "default" {
            return Ok(Color::Reset);
        }
        if let Some(i) = NAMES
            .iter()
            .position(|n| *n == l || (l == "grey" && *n == "gray"))
        {
            return Ok(Color::Ansi(i as u8));
        }
        if let Some(hex) = l.strip_prefix('#')
            && hex.len() == 6
            && let Ok(v) = u32::from_str_radix(hex, 16)
        {
            return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
        if let Ok(i) = l.parse::<u8>() {
            return Ok(Color::Indexed(i));
        }
        Err(format!(
            "`{s}` is not a colour (a name like `red`, `#rrggbb`, or 0-255)"
        ))
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StyleSpec {
    pub fg: Option<String>,
    pub bg: Option<String>,
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub italic: bool,
    #[serde(default)]
    pub underline: bool,
    #[serde(default)]
    pub reverse: bool,
}

/// The semantic styles every view draws with. Missing ones are plain.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeSpec {
    pub text: StyleSpec,
    pub muted: StyleSpec,
    pub header: StyleSpec,
    pub accent: StyleSpec,
    pub table_header: StyleSpec,
    pub sorted_column: StyleSpec,
    pub selection: StyleSpec,
    pub marked: StyleSpec,
    pub basename: StyleSpec,
    pub ok: StyleSpec,
    pub warn: StyleSpec,
    pub danger: StyleSpec,
    pub border: StyleSpec,
    pub dialog: StyleSpec,
    pub button: StyleSpec,
    pub button_focus: StyleSpec,
    pub status: StyleSpec,
    pub readonly: StyleSpec,
}

impl ThemeSpec {
    fn all(&self) -> [(&'static str, &StyleSpec); 18] {
        [
            ("text", &self.text),
            ("muted", &self.muted),
            ("header", &self.header),
            ("accent", &self.accent),
            ("table_header", &self.table_header),
            ("sorted_column", &self.sorted_column),
            ("selection", &self.selection),
            ("marked", &self.marked),
            ("basename", &self.basename),
            ("ok", &self.ok),
            ("warn", &self.warn),
            ("danger", &self.danger),
            ("border", &self.border),
            ("dialog", &self.dialog),
            ("button", &self.button),
            ("button_focus", &self.button_focus),
            ("status", &self.status),
            ("readonly", &self.readonly),
        ]
    }

    /// Parses a theme file, checking every colour; errors name the style and position.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let spec: ThemeSpec =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
        for (name, st) in spec.all() {
            for c in [&st.fg, &st.bg].into_iter().flatten() {
                Color::parse(c).map_err(|m| {
                    let at = text.find(&format!("\"{c}\""));
                    ConfigError::at(path, text, at, format!("style `{name}`: {m}"))
                })?;
            }
        }
        Ok(spec)
    }

    /// Finds a theme by name: the user's themes dir first, then the built-ins.
    ///
    /// A name is a plain file name (no `/`, no leading `.`): a theme is a file in that
    /// directory, never a way to have qd read another file. In privileged mode it is
    /// read with the operator's rights, no link followed, and must be theirs or root's.
    pub fn load(name: &str) -> Result<Self, ConfigError> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !plain {
            return Err(ConfigError {
                path: Path::new("theme").to_path_buf(),
                line: 0,
                column: 0,
                message: format!(
                    "theme `{}`: a theme name uses letters, digits, - _ . only",
                    crate::model::text::inert(name, 64)
                ),
            });
        }
        // Why a user theme was not used, for the error when no built-in has the name.
        let mut refused = String::new();
        if let Some(dir) = super::paths::user_themes() {
            let path = dir.join(format!("{name}.toml"));
            if crate::sys::privileged() {
                // The themes dir is the operator's (XDG_CONFIG_HOME passes through
                // `sudo -E`): read the file as they could, no link followed, so root
                // never reads a file for them that they could not read themselves.
                // The refusal names the path and the reason, never the content.
                match crate::sys::operator_account() {
                    Some(op) => match crate::sys::sitefile::read(&path, &op, THEME_MAX) {
                        Ok(bytes) => {
                            let text = String::from_utf8(bytes).map_err(|_| ConfigError {
                                path: path.clone(),
                                line: 0,
                                column: 0,
                                message: "theme file is not UTF-8".into(),
                            })?;
                            return Self::parse(&path, &text);
                        }
                        Err(e) => refused = format!(" (user theme not used: {e})"),
                    },
                    None => refused = " (user themes: the operator's account is unknown)".into(),
                }
            } else if let Ok(o) = super::trust::open(&path) {
                return Self::parse(&path, &o.text);
            }
        }
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Self::parse(Path::new(&format!("<built-in theme {n}>")), text),
            None => Err(ConfigError {
                path: Path::new(name).to_path_buf(),
                line: 0,
                column: 0,
                message: format!(
                    "no theme `{name}`: built-in themes are dark, light, high-contrast; user themes go in {}{refused}",
                    super::paths::user_themes()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn builtins_parse() {
        for (n, text) in BUILTIN {
            ThemeSpec::parse(Path::new(n), text).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    #[test]
    fn colours() {
        assert_eq!(Color::parse("LightRed"), Ok(Color::Ansi(9)));
        assert_eq!(Color::parse("#ff0080"), Ok(Color::Rgb(255, 0, 128)));
        assert_eq!(Color::parse("236"), Ok(Color::Indexed(236)));
        assert!(Color::parse("ultraviolet").is_err());
    }
}
