//! Key specs as written in the keymap: `k`, `K`, `ctrl-k`, `alt-x`, `f9`, `space`,
//! `ctrl-space`, `ctrl-\`, `enter`, `esc`, `shift-tab`, `pgup`, `<`. Parsed here, with
//! no terminal library, so `qd config check` validates them; the TUI maps its key
//! events onto the same type.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyName {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub key: KeyName,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeySpec {
    pub fn plain(key: KeyName) -> Self {
        Self {
            key,
            ctrl: false,
            alt: false,
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = s;
        // A single character is always the key itself, even `-`.
        while rest.chars().count() > 1 {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("a-"))
            {
                alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("shift-")
                .or_else(|| lower.strip_prefix("s-"))
            {
                shift = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let key = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyName::Char(if shift { c.to_ascii_uppercase() } else { c }),
            _ => match rest.to_ascii_lowercase().as_str() {
                "space" => KeyName::Char(' '),
                "enter" | "return" => KeyName::Enter,
                "esc" | "escape" => KeyName::Esc,
                "tab" if shift => KeyName::BackTab,
                "tab" => KeyName::Tab,
                "backtab" => KeyName::BackTab,
                "backspace" => KeyName::Backspace,
                "delete" | "del" => KeyName::Delete,
                "insert" | "ins" => KeyName::Insert,
                "up" => KeyName::Up,
                "down" => KeyName::Down,
                "left" => KeyName::Left,
                "right" => KeyName::Right,
                "home" => KeyName::Home,
                "end" => KeyName::End,
                "pgup" | "pageup" => KeyName::PageUp,
                "pgdn" | "pagedown" => KeyName::PageDown,
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=24).contains(&n) => KeyName::F(n),
                    _ => return Err(format!("unknown key `{s}`")),
                },
                _ => {
                    return Err(format!(
                        "unknown key `{s}` (e.g. `k`, `ctrl-k`, `f9`, `space`, `enter`)"
                    ));
                }
            },
        };
        Ok(Self { key, ctrl, alt })
    }
}

impl std::fmt::Display for KeySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.key {
            KeyName::Char(' ') => f.write_str("space"),
            KeyName::Char(c) => write!(f, "{c}"),
            KeyName::F(n) => write!(f, "F{n}"),
            KeyName::Enter => f.write_str("enter"),
            KeyName::Esc => f.write_str("esc"),
            KeyName::Tab => f.write_str("tab"),
            KeyName::BackTab => f.write_str("shift-tab"),
            KeyName::Backspace => f.write_str("backspace"),
            KeyName::Delete => f.write_str("del"),
            KeyName::Insert => f.write_str("ins"),
            KeyName::Up => f.write_str("up"),
            KeyName::Down => f.write_str("down"),
            KeyName::Left => f.write_str("left"),
            KeyName::Right => f.write_str("right"),
            KeyName::Home => f.write_str("home"),
            KeyName::End => f.write_str("end"),
            KeyName::PageUp => f.write_str("pgup"),
            KeyName::PageDown => f.write_str("pgdn"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_specs() {
        assert_eq!(KeySpec::parse("k"), Ok(KeySpec::plain(KeyName::Char('k'))));
        assert_eq!(KeySpec::parse("K").map(|k| k.key), Ok(KeyName::Char('K')));
        let ck = KeySpec::parse("ctrl-k").expect("ctrl-k");
        assert!(ck.ctrl && ck.key == KeyName::Char('k'));
        assert_eq!(
            KeySpec::parse("ctrl-\\").map(|k| k.key),
            Ok(KeyName::Char('\\'))
        );
        assert_eq!(KeySpec::parse("F9").map(|k| k.key), Ok(KeyName::F(9)));
        assert_eq!(KeySpec::parse("-").map(|k| k.key), Ok(KeyName::Char('-')));
        assert_eq!(
            KeySpec::parse("shift-tab").map(|k| k.key),
            Ok(KeyName::BackTab)
        );
        assert!(KeySpec::parse("hyper-q").is_err());
        assert!(KeySpec::parse("f99").is_err());
    }
}
