//! A process's argv as one shared allocation: the arguments, each decoded lossily
//! (invalid UTF-8 becomes U+FFFD) and ended by a NUL, in one `Arc<str>`. A table of
//! 3000 processes held each argv as an `Arc<[String]>` plus one heap string per
//! argument: three allocations for `sleep 100000`, ~150 bytes, where this takes one of
//! ~48 (0.3 MB less at 3000 processes, in every snapshot and the collector's cache).
//! No argument can hold a NUL (the kernel separates them with it), so the text splits
//! back into exactly the arguments; `[]` and `[""]` stay apart (`""` and `"\0"`).

use serde::ser::{Serialize, SerializeSeq, Serializer};
use std::sync::Arc;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Argv(Arc<str>);

impl Argv {
    /// From `/proc/PID/cmdline`: arguments separated (and usually ended) by NUL.
    pub fn from_nul_bytes(bytes: &[u8]) -> Self {
        let trimmed = bytes.strip_suffix(&[0]).unwrap_or(bytes);
        if trimmed.is_empty() {
            return Self::default();
        }
        let mut text = String::with_capacity(trimmed.len() + 1);
        for a in trimmed.split(|b| *b == 0) {
            text.push_str(&String::from_utf8_lossy(a));
            text.push('\0');
        }
        Self(Arc::from(text))
    }

    /// From arguments given as text; a NUL inside one becomes U+FFFD.
    pub fn from_args<S: AsRef<str>>(args: impl IntoIterator<Item = S>) -> Self {
        let mut text = String::new();
        for a in args {
            text.push_str(&a.as_ref().replace('\0', "\u{FFFD}"));
            text.push('\0');
        }
        Self(Arc::from(text))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split_terminator('\0')
    }

    pub fn first(&self) -> Option<&str> {
        self.iter().next()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.bytes().filter(|b| *b == 0).count()
    }

    /// The arguments joined by `sep`.
    pub fn join(&self, sep: &str) -> String {
        let mut out = String::with_capacity(self.0.len());
        for (i, a) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(a);
        }
        out
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

impl std::fmt::Debug for Argv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A JSON array of strings, as the argv was before.
impl Serialize for Argv {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for a in self.iter() {
            seq.serialize_element(a)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::Argv;

    #[test]
    fn splits_back_into_exactly_the_arguments() {
        let a = Argv::from_nul_bytes(b"sleep\x00100000\x00");
        assert_eq!(a.to_vec(), ["sleep", "100000"]);
        assert_eq!(
            (a.len(), a.first(), a.join(" ")),
            (2, Some("sleep"), "sleep 100000".into())
        );
        // No trailing NUL (a process that rewrote its argv), empty arguments kept.
        assert_eq!(Argv::from_nul_bytes(b"a\x00\x00b").to_vec(), ["a", "", "b"]);
        assert_eq!(Argv::from_nul_bytes(b"").to_vec(), Vec::<String>::new());
        assert_eq!(Argv::from_nul_bytes(b"\x00").to_vec(), Vec::<String>::new());
        assert_eq!(Argv::from_nul_bytes(b"\x00\x00").to_vec(), ["", ""]);
        assert!(Argv::from_nul_bytes(b"").is_empty());
        assert!(!Argv::from_nul_bytes(b"\x00\x00").is_empty());
        assert_eq!(
            Argv::from_nul_bytes(b"\xff\xfex\x00").to_vec(),
            ["\u{FFFD}\u{FFFD}x"]
        );
        assert_eq!(Argv::from_args(["a\0b", "c"]).to_vec(), ["a\u{FFFD}b", "c"]);
        assert_eq!(
            Argv::from_args(["x", "y"]),
            Argv::from_nul_bytes(b"x\x00y\x00")
        );
    }

    #[test]
    fn serializes_as_an_array() {
        let a = Argv::from_nul_bytes(b"sh\x00-c\x00echo \"hi\"\x00");
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"["sh","-c","echo \"hi\""]"#
        );
        assert_eq!(serde_json::to_string(&Argv::default()).unwrap(), "[]");
    }
}
