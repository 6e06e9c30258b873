//! The header's device lines under the CPU bars: network interfaces with their rates,
//! then disks with their use and the hottest sensors — as many as the width holds,
//! busiest interface and largest disk first (the order `sources::devices` gives).

use crate::model::HostStats;
use crate::model::format::short_bytes;
use crate::tui::theme::Theme;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// A rate: `0`, `812B/s`, `1.2M/s`.
fn rate(bytes_per_sec: f64) -> String {
    if bytes_per_sec < 0.5 {
        return "0".into();
    }
    format!("{}/s", short_bytes(bytes_per_sec.round() as u64))
}

/// Pushes labelled items while they fit in `width` cells; the label only when at
/// least one item follows it.
fn fit<'a>(label: &'static str, items: Vec<Vec<Span<'a>>>, width: u16, th: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(label, th.header)];
    let mut used = label.chars().count();
    for item in items {
        let w: usize = item.iter().map(|s| s.width()).sum::<usize>() + 2;
        if used + w > width as usize {
            break;
        }
        spans.push(Span::raw("  "));
        spans.extend(item);
        used += w;
    }
    if spans.len() == 1 {
        return Line::default();
    }
    Line::from(spans)
}

fn used_style(th: &Theme, pct: f32) -> Style {
    match pct {
        p if p >= 90.0 => th.danger,
        p if p >= 75.0 => th.warn,
        _ => th.ok,
    }
}

/// `Net  eth0 ↓1.2M/s ↑47K/s  docker0 ↓0 ↑0`
pub fn networks_line<'a>(s: &'a HostStats, th: &Theme, width: u16) -> Line<'a> {
    let items = s
        .networks
        .iter()
        .map(|n| {
            vec![
                Span::styled(n.name.as_str(), th.muted),
                Span::raw(format!(
                    " ↓{} ↑{}",
                    rate(n.rx_bytes_per_sec),
                    rate(n.tx_bytes_per_sec)
                )),
            ]
        })
        .collect();
    fit("Net", items, width, th)
}

/// `Disk  / 64% of 250G  /srv 96% of 1.0T  Temp 61°C`
pub fn disks_line<'a>(s: &'a HostStats, th: &Theme, width: u16) -> Line<'a> {
    let mut items: Vec<Vec<Span<'a>>> = s
        .disks
        .iter()
        .map(|d| {
            let pct = d.used_percent();
            vec![
                Span::styled(d.mount.as_str(), th.muted),
                Span::styled(format!(" {pct:.0}%"), used_style(th, pct)),
                Span::raw(format!(" of {}", short_bytes(d.total))),
            ]
        })
        .collect();
    // The hottest sensor stands for the rest; its label is in `qd`'s detail, not here.
    if let Some(t) = s.temps.first() {
        let style = match t.celsius {
            c if c >= 85.0 => th.danger,
            c if c >= 70.0 => th.warn,
            _ => th.ok,
        };
        items.push(vec![
            Span::styled("Temp ", th.header),
            Span::styled(format!("{:.0}°C", t.celsius), style),
        ]);
    }
    fit("Disk", items, width, th)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_like_the_sizes() {
        assert_eq!(rate(0.0), "0");
        assert_eq!(rate(0.4), "0");
        assert!(rate(1_250_000.0).ends_with("/s"));
    }

    #[test]
    fn lines_stop_at_the_width() {
        let s = crate::model::fixture::web_host().stats;
        let th = Theme::builtin_dark();
        let wide = networks_line(&s, &th, 200);
        let narrow = networks_line(&s, &th, 24);
        assert!(wide.width() > narrow.width());
        assert!(narrow.width() <= 24);
        assert!(wide.to_string().contains("docker0"));
        assert!(disks_line(&s, &th, 200).to_string().contains("Temp 61°C"));
        assert_eq!(networks_line(&s, &th, 5).width(), 0);
    }
}
