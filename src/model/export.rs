//! The formats a table can be exported in. Plain data shared by the action that
//! writes an export (`actions::Action::Export`), the path it gets by default
//! (`config::paths::export_file_name`) and the serializers (`tui::export`).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// RFC 4180, with formula cells made inert.
    Csv,
    /// `{"<table>": [ {...}, ... ]}` with typed values.
    Json,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 2] = [ExportFormat::Csv, ExportFormat::Json];

    /// The name the command language and the audit log use: `csv`, `json`.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }

    /// `csv` or `json`, in any case.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
    }

    /// The file extension (without the dot).
    pub fn ext(self) -> &'static str {
        self.name()
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::parse(f.name()), Some(f));
            assert_eq!(f.ext(), f.name());
        }
        assert_eq!(ExportFormat::parse("JSON"), Some(ExportFormat::Json));
        assert_eq!(ExportFormat::parse("xml"), None);
        assert_eq!(ExportFormat::parse(""), None);
        assert_eq!(
            serde_json::to_string(&ExportFormat::Csv).expect("json"),
            "\"csv\""
        );
    }
}
