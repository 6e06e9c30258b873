//! What the services and sites screens share, both being views of systemd's units:
//! the line drawn when the units are not listed yet, systemd is unreachable or a
//! table is empty; the log popup of a unit or of a site's services; f32 sums as JSON.
//! Not a screen: the screens (and the App's global `site-logs`) import it.

use super::super::data::Data;
use super::super::msg::{Act, Effect};
use super::super::popup::Popup;
use super::super::theme::Theme;
use crate::model::text::inert;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Over a units table's area: why systemd's rows are missing or stale (the reason on
/// the last line, under the last known rows), or what an empty table means (`what`).
/// `true`: nothing else to draw.
pub fn notice(
    buf: &mut Buffer,
    area: Rect,
    data: &Data,
    th: &Theme,
    empty: bool,
    what: &str,
) -> bool {
    let Some(t) = data.snapshot.services.as_ref() else {
        return false;
    };
    if area.height < 2 {
        return false;
    }
    let (x, y) = (area.x + 1, area.y + 1);
    if let Some(e) = &t.error {
        buf.set_string(x, area.y + area.height - 1, inert(e, 300), th.danger);
    }
    if !t.loaded {
        buf.set_string(x, y, "asking systemd…", th.muted);
        return true;
    }
    if empty && t.error.is_none() {
        buf.set_string(x, y, what, th.muted);
        return true;
    }
    false
}

/// The log popup titled `title`, following these units (tag, unit).
pub fn open_log(title: String, units: Vec<(String, String)>) -> Vec<Act> {
    vec![
        Act::Popup(Popup::Log {
            title,
            lines: Default::default(),
            scroll: 0,
            search: String::new(),
            searching: false,
            error: None,
        }),
        Act::Effect(Effect::OpenLog(units)),
    ]
}

/// `L`: the merged log of every service of `site`, each line tagged with the
/// service's name.
pub fn site_log(data: &Data, site: Option<&str>) -> Vec<Act> {
    let Some(site) = site else {
        return vec![Act::info(
            "L shows a site's log: select a site's service or a site",
        )];
    };
    let units: Vec<(String, String)> = data
        .snapshot
        .services
        .as_ref()
        .map(|t| {
            t.rows
                .iter()
                .filter(|r| r.unit.site.as_deref() == Some(site))
                .map(|r| {
                    let tag = r.unit.service.as_deref().unwrap_or("").to_string();
                    (tag, r.unit.unit.clone())
                })
                .collect()
        })
        .unwrap_or_default();
    if units.is_empty() {
        return vec![Act::info("this site has no services listed yet")];
    }
    open_log(format!("log: site {site}"), units)
}

/// An f32 as JSON with the digits it prints with (23.4, not 23.399999618530273).
pub fn f32_json(x: f32) -> serde_json::Value {
    x.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}
