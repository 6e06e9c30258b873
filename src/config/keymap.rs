//! Key bindings as data: the defaults in `keymap-default.toml` (compiled in), with the
//! user's `[[keys]]` entries replacing defaults on the same key.

use super::command::Command;
use super::keys::KeySpec;
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub on: KeySpec,
    pub run: Command,
    /// The command as written, for help.
    pub run_text: String,
    pub desc: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKey {
    on: Spanned<String>,
    run: Spanned<String>,
    desc: Option<String>,
}

#[derive(Deserialize)]
struct DefaultFile {
    keys: Vec<RawKey>,
}

const DEFAULTS: &str = include_str!("keymap-default.toml");

pub fn resolve(k: &RawKey) -> Result<Binding, (Range<usize>, String)> {
    let on = KeySpec::parse(k.on.get_ref()).map_err(|m| (k.on.span(), format!("keys.on: {m}")))?;
    let run =
        Command::parse(k.run.get_ref()).map_err(|m| (k.run.span(), format!("keys.run: {m}")))?;
    Ok(Binding {
        on,
        run,
        run_text: k.run.get_ref().trim().to_string(),
        desc: k
            .desc
            .clone()
            .unwrap_or_else(|| k.run.get_ref().trim().to_string()),
    })
}

/// Adds `b`, replacing any binding of the same key.
pub fn bind(keys: &mut Vec<Binding>, b: Binding) {
    keys.retain(|x| x.on != b.on);
    keys.push(b);
}

/// The built-in bindings. The file is part of the binary and covered by a test, so
/// an entry that fails to parse is left out rather than stopping qd.
pub fn defaults() -> Vec<Binding> {
    let Ok(file) = toml::from_str::<DefaultFile>(DEFAULTS) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for k in &file.keys {
        if let Ok(b) = resolve(k) {
            bind(&mut out, b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn every_default_binding_resolves() {
        let file: DefaultFile = toml::from_str(DEFAULTS).expect("default keymap parses");
        for k in &file.keys {
            resolve(k).unwrap_or_else(|(_, m)| panic!("{m}"));
        }
        assert_eq!(defaults().len(), file.keys.len(), "no key bound twice");
    }
}
