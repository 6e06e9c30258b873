//! Numbers as the tables show them: sizes, CPU time, start times. Shared by the TUI
//! and the CLI's text tables.

/// Formats bytes as htop does: 1023K, 12.3M, 1.50G.
pub fn human_bytes(b: u64) -> String {
    const K: f64 = 1024.0;
    let f = b as f64;
    if f < K * K {
        format!("{:.0}K", f / K)
    } else if f < K * K * K {
        format!("{:.1}M", f / K / K)
    } else {
        format!("{:.2}G", f / K / K / K)
    }
}

/// Sizes and rates in at most four characters, as df -h: 812B, 47K, 1.2M, 250G, 1.0T.
pub fn short_bytes(b: u64) -> String {
    const UNITS: [&str; 6] = ["B", "K", "M", "G", "T", "P"];
    let mut f = b as f64;
    let mut u = 0;
    while f >= 1000.0 && u + 1 < UNITS.len() {
        f /= 1024.0;
        u += 1;
    }
    if u > 0 && f < 9.95 {
        format!("{f:.1}{}", UNITS[u])
    } else {
        format!("{f:.0}{}", UNITS[u])
    }
}

/// CPU time as TIME+ does: minutes:seconds.hundredths, or hours when long.
pub fn cpu_time(secs: f64) -> String {
    let total = secs.max(0.0);
    let h = (total / 3600.0) as u64;
    let m = ((total % 3600.0) / 60.0) as u64;
    let s = total % 60.0;
    if h > 0 {
        format!("{h}h{m:02}:{:02}", s as u64)
    } else {
        format!("{m}:{s:05.2}")
    }
}

/// `850ms`, `12.5s`, `5m`, `1h30m`: durations in messages.
pub fn duration_short(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    let s = d.as_secs();
    if ms < 1000 {
        format!("{ms}ms")
    } else if s < 60 {
        format!("{:.1}s", d.as_secs_f64())
    } else if s < 3600 {
        if s.is_multiple_of(60) {
            format!("{}m", s / 60)
        } else {
            format!("{}m{:02}s", s / 60, s % 60)
        }
    } else {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    }
}

/// Start time: HH:MM today, otherwise the date.
pub fn start_time(unix: u64, now: u64) -> String {
    let days_ago = now.saturating_sub(unix) / 86400;
    let secs_of_day = unix % 86400;
    if days_ago == 0 && now / 86400 == unix / 86400 {
        format!("{:02}:{:02}", secs_of_day / 3600, (secs_of_day % 3600) / 60)
    } else {
        let (_, m, d) = civil(unix);
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!("{}{d:02}", MONTHS[(m - 1) as usize])
    }
}

/// Unix seconds -> (year, month 1-12, day 1-31), UTC: Howard Hinnant's algorithm.
pub fn civil(unix: u64) -> (i64, i64, i64) {
    let z = (unix / 86400) as i64 + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `2026-11-21`, UTC.
pub fn date(unix: u64) -> String {
    let (y, m, d) = civil(unix);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2026-11-21T09:05:03.120Z`: RFC 3339, UTC, milliseconds.
pub fn timestamp(unix_ms: u64) -> String {
    let s = unix_ms / 1000;
    let day = s % 86400;
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        date(s),
        day / 3600,
        (day % 3600) / 60,
        day % 60,
        unix_ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_sizes() {
        assert_eq!(short_bytes(812), "812B");
        assert_eq!(short_bytes(48_000), "47K");
        assert_eq!(short_bytes(1_250_000), "1.2M");
        assert_eq!(short_bytes(250 << 30), "250G");
        assert_eq!(short_bytes(1 << 40), "1.0T");
        assert_eq!(short_bytes(0), "0B");
    }

    #[test]
    fn formats() {
        assert_eq!(human_bytes(512 * 1024), "512K");
        assert_eq!(human_bytes(3 * 1024 * 1024 + 300 * 1024), "3.3M");
        assert_eq!(cpu_time(61.5), "1:01.50");
        assert_eq!(cpu_time(7322.0), "2h02:02");
        assert_eq!(start_time(1_700_000_000, 1_700_000_100), "22:13");
        assert_eq!(start_time(1_700_000_000, 1_800_000_000), "Nov14");
        assert_eq!(timestamp(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(date(951_782_400), "2000-02-29");
    }
}
