//! The one place where foreign text (process names, argv, environment, remote output)
//! is made inert before it reaches a screen or a text table.
//!
//! A process chooses its own argv and name, so they may hold escape sequences meant to
//! move the cursor, set the window title or write the clipboard (OSC 52), bidi
//! overrides that make a line read differently than it runs, newlines that forge
//! extra rows, or invisible format characters and fillers that make `ro\u{200B}ot`
//! look like `root`. Every such character is replaced by a visible escape (`\e`, `\x9b`,
//! `\u{202e}`, `\n`), so what the operator sees is exactly what is there, and nothing
//! is interpreted by the terminal. Files keep the text as data, still inert: a CSV
//! export's cells through `inert_lines` (newlines kept), JSON through `json`, whose
//! `\uXXXX` escapes keep every string exact.

use std::borrow::Cow;

/// Bidi controls: embeddings/overrides (U+202A-202E), isolates (U+2066-2069) and the
/// implicit marks (LRM, RLM, ALM), which can reorder what surrounds them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Unicode format characters (general category Cf, Unicode 15.1): invisible, yet
/// they change what a name is (`ro\u{200B}ot` is not `root`, tag characters carry
/// hidden text, a soft hyphen shows only at a line break).
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08E2}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

/// Blank-looking letters that render as nothing (the Hangul fillers) and the
/// combining grapheme joiner: they pad or split a name without showing.
fn is_filler(c: char) -> bool {
    matches!(
        c,
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{034F}'
    )
}

/// True when `c` must not reach a terminal as itself.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || is_format(c)
        || is_filler(c)
        || matches!(c, '\u{2028}' | '\u{2029}')
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x1b' => out.push_str("\\e"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Makes `s` inert and at most `max_chars` characters long (counting the visible
/// escapes), ending in `…` when cut. Borrows when nothing needs changing.
pub fn inert(s: &str, max_chars: usize) -> Cow<'_, str> {
    let needs_escape = s.chars().any(is_unsafe);
    if !needs_escape && (s.len() <= max_chars || s.chars().count() <= max_chars) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().min(max_chars * 4) + 8);
    let mut count = 0usize;
    for c in s.chars() {
        let before = out.len();
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
        count += out[before..].chars().count();
        if count > max_chars {
            // Cut back to max_chars - 1 characters and mark the cut.
            let keep = max_chars.saturating_sub(1);
            let cut = out
                .char_indices()
                .nth(keep)
                .map(|(i, _)| i)
                .unwrap_or(out.len());
            out.truncate(cut);
            out.push('…');
            return Cow::Owned(out);
        }
    }
    Cow::Owned(out)
}

/// [`inert`] for a file that carries foreign text as data (a table export's CSV):
/// whole (never cut), and keeping LF and TAB, which are the text's own and only move
/// a terminal that shows the file to the next line or column. Everything else that
/// `inert` escapes (ESC, CR, every other control, bidi and format characters) is
/// written as the same visible escape, so `cat` of the file runs nothing and
/// overwrites nothing, and a spreadsheet shows the escapes the screen shows.
pub fn inert_lines(s: &str) -> Cow<'_, str> {
    let unsafe_here = |c: char| is_unsafe(c) && c != '\n' && c != '\t';
    if !s.chars().any(unsafe_here) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_here(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A serde_json formatter that also writes every character [`is_unsafe`] calls
/// unsafe as a `\uXXXX` escape. serde_json escapes C0 controls itself, but writes DEL,
/// the C1 controls (U+009B is CSI to some terminals), bidi and format characters as
/// they are; escaped, the JSON holds exactly the same strings and shows inert.
struct InertJson<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for InertJson<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(w, "\\u{u:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    // The layout is the inner formatter's (pretty or compact).
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `value` as JSON (pretty: indented by two spaces) with every unsafe character
/// escaped (see `InertJson`): for JSON that foreign text reaches and a terminal may
/// show (a table export, the audit log and `qd audit --json`).
pub fn json<T: serde::Serialize + ?Sized>(value: &T, pretty: bool) -> Result<String, String> {
    let mut out = Vec::new();
    let r = if pretty {
        let f = InertJson(serde_json::ser::PrettyFormatter::new());
        value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, f))
    } else {
        let f = InertJson(serde_json::ser::CompactFormatter);
        value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, f))
    };
    r.map_err(|e| format!("JSON: {e}"))?;
    // serde_json writes UTF-8 only (the fragments are &str, the rest ASCII).
    String::from_utf8(out).map_err(|e| format!("JSON: {e}"))
}

/// Decodes raw bytes lossily (invalid UTF-8 becomes U+FFFD), never failing.
pub fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Splits a NUL-separated /proc buffer (cmdline, environ) into lossy strings.
pub fn split_nul(bytes: &[u8]) -> Vec<String> {
    let trimmed = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed.split(|b| *b == 0).map(lossy).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(inert("nginx: worker", 100), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_become_visible() {
        let s = "a\x1b]0;pwn\x07b\nc\u{202e}d\u{9b}e";
        assert_eq!(inert(s, 100), "a\\e]0;pwn\\x07b\\nc\\u{202e}d\\x9be");
        assert!(!inert(s, 100).chars().any(is_unsafe));
    }

    #[test]
    fn format_characters_and_fillers_become_visible() {
        // Zero-width space, ZWJ, word joiner, soft hyphen: a name that looks like root.
        assert_eq!(inert("ro\u{200B}ot", 100), "ro\\u{200b}ot");
        assert_eq!(inert("a\u{200D}b\u{2060}c", 100), "a\\u{200d}b\\u{2060}c");
        assert_eq!(inert("ro\u{AD}ot", 100), "ro\\xadot");
        // Tag characters spell hidden text ("hi") after a visible name.
        assert_eq!(
            inert("web\u{E0001}\u{E0068}\u{E0069}\u{E007F}", 100),
            "web\\u{e0001}\\u{e0068}\\u{e0069}\\u{e007f}"
        );
        // Arabic number sign, Mongolian vowel separator, interlinear annotation,
        // musical formatting, BOM.
        for c in [
            '\u{0600}',
            '\u{180E}',
            '\u{FFF9}',
            '\u{1D173}',
            '\u{FEFF}',
            '\u{110BD}',
        ] {
            assert!(is_unsafe(c), "{:x}", c as u32);
            assert_eq!(
                inert(&format!("x{c}"), 100),
                format!("x\\u{{{:x}}}", c as u32)
            );
        }
        // Hangul fillers and the combining grapheme joiner.
        for c in ['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', '\u{034F}'] {
            assert!(
                inert(&format!("a{c}"), 100).contains("\\u{"),
                "{:x}",
                c as u32
            );
        }
        // Ordinary letters and combining accents stay as they are.
        assert!(matches!(inert("café naïve 日本 é", 100), Cow::Borrowed(_)));
    }

    #[test]
    fn truncates_with_ellipsis_counting_escapes() {
        assert_eq!(inert("abcdef", 4), "abc…");
        assert_eq!(inert("\x1b\x1b\x1b", 5), "\\e\\e…");
        assert_eq!(inert("abcd", 4), "abcd");
    }

    #[test]
    fn files_keep_the_text_inert_and_json_keeps_it_exact() {
        assert_eq!(
            inert_lines("a\nb\tc\rd\x1b[2J\u{202e}"),
            "a\nb\tc\\rd\\e[2J\\u{202e}"
        );
        assert!(matches!(inert_lines("two\nlines"), Cow::Borrowed(_)));
        // C0 by serde itself; C1, bidi and a tag character (a surrogate pair) here.
        let v = serde_json::json!({"k\u{9b}": "\x1b\u{202e}\u{E0001}é"});
        let text = json(&v, false).expect("json");
        assert_eq!(text, r#"{"k\u009b":"\u001b\u202e\udb40\udc01é"}"#);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).expect("parse"),
            v
        );
        assert_eq!(json(&v, true).expect("json").lines().count(), 3);
    }

    #[test]
    fn splits_nul_buffers_lossily() {
        assert_eq!(split_nul(b"sleep\x00100\x00"), vec!["sleep", "100"]);
        assert_eq!(split_nul(b"a\xff\x00b"), vec!["a\u{fffd}", "b"]);
        assert!(split_nul(b"").is_empty());
        assert_eq!(split_nul(b"a\x00\x00b\x00"), vec!["a", "", "b"]);
    }
}
