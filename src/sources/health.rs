//! Health probes of site services: an HTTP GET, a TCP connect, or a command.
//!
//! Each probe has a timeout and never follows redirects or talks TLS: it checks that
//! the service answers, nothing more. A command probe is a command like a site's
//! custom commands (`exec::run`): as the site's user, a clean environment,
//! its own session, no descriptor of qd's, no_new_privs, killed with everything it
//! started on timeout, output discarded but its first line. When qd runs as root it
//! runs only for a site from a trusted file: anyone who can write the config could
//! otherwise make root run anything as any user.

use crate::exec;
use crate::model::site::{Health, Probe, Site};
use crate::sys::account::Account;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What a command probe from an untrusted file gets instead of running.
pub const NOT_TRUSTED: &str = "not run: defined in a file that is not trusted";

/// `Ok(detail)` when healthy, `Err(why)` when not.
pub async fn probe(h: &Health, site: &Site) -> Result<String, String> {
    if let Probe::Command(argv) = &h.probe {
        // exec::run bounds it itself and kills what it started; dropping its future
        // on an outer timeout would leave the processes running.
        return command(argv, site, h.timeout).await;
    }
    match tokio::time::timeout(h.timeout, run(&h.probe)).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {} ms", h.timeout.as_millis())),
    }
}

async fn run(p: &Probe) -> Result<String, String> {
    match p {
        Probe::Tcp(port) => connect("127.0.0.1", *port)
            .await
            .map(|_| format!("port {port} accepts connections")),
        Probe::Http(url) => http(url).await,
        Probe::Command(_) => Err("a command probe runs through exec".into()),
    }
}

async fn connect(host: &str, port: u16) -> Result<TcpStream, String> {
    TcpStream::connect((host, port)).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::ConnectionRefused {
            format!("nothing listens on {host}:{port}")
        } else {
            format!("{host}:{port}: {e}")
        }
    })
}

/// `http://host[:port][/path]` split into its parts.
fn parse_url(url: &str) -> Result<(String, u16, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("`{url}`: only http:// URLs are probed"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
            h,
            p.parse::<u16>()
                .map_err(|_| format!("`{url}`: bad port `{p}`"))?,
        ),
        _ => (authority, 80),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(format!("`{url}`: no host"));
    }
    Ok((host.to_string(), port, path.to_string()))
}

async fn http(url: &str) -> Result<String, String> {
    let (host, port, path) = parse_url(url)?;
    let mut s = connect(&host, port).await?;
    let req = format!(
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: quarterdeck\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes())
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let mut head = vec![0u8; 512];
    let mut n = 0;
    while n < head.len() && !head[..n].contains(&b'\n') {
        match s.read(&mut head[n..]).await {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(format!("{url}: {e}")),
        }
    }
    let line = String::from_utf8_lossy(&head[..n]);
    let line = line.lines().next().unwrap_or("");
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("{url}: not an HTTP answer"))?;
    if (200..400).contains(&status) {
        Ok(format!("HTTP {status}"))
    } else {
        Err(format!("HTTP {status}"))
    }
}

async fn command(argv: &[String], site: &Site, timeout: Duration) -> Result<String, String> {
    let me = rustix::process::geteuid().as_raw();
    if me == 0 && !site.trusted {
        return Err(NOT_TRUSTED.into());
    }
    let account = Account::by_name(&site.user)
        .ok_or_else(|| format!("not run: site user `{}` does not exist", site.user))?;
    if me != 0 && me != account.uid {
        return Err(format!(
            "not run: it runs as {}: run qd as root (or as {})",
            account.name, account.name
        ));
    }
    let first = std::sync::Mutex::new(None::<String>);
    let keep = |line: &str| {
        if let Ok(mut f) = first.lock()
            && f.is_none()
        {
            *f = Some(crate::model::text::inert(line, 120).into_owned());
        }
    };
    let spec = exec::Spec {
        argv,
        account: &account,
        switch_user: me == 0 && account.uid != 0,
        dir: std::path::Path::new("/"),
        env: exec::base_env(&account),
        timeout,
        grace: Duration::from_secs(1),
        // Probes run every refresh: a process group, not a unit each time.
        bus: None,
        label: "health",
    };
    let exit = exec::run(&spec, &AtomicBool::new(false), &keep).await;
    let line = first
        .into_inner()
        .ok()
        .flatten()
        .map(|l| format!(": {l}"))
        .unwrap_or_default();
    match exit.how {
        exec::How::Code(0) => Ok(format!("exit 0{line}")),
        exec::How::Code(c) => Err(format!("exit {c}{line}")),
        exec::How::Signal(_) => Err("killed by a signal".into()),
        exec::How::TimedOut(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
        exec::How::Canceled => Err("canceled".into()),
        exec::How::NotStarted(why) => Err(format!("not run: {why}")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_url;
    #[test]
    fn urls_split_into_host_port_path() {
        assert_eq!(
            parse_url("http://127.0.0.1:8080/health").unwrap(),
            ("127.0.0.1".into(), 8080, "/health".into())
        );
        assert_eq!(
            parse_url("http://localhost").unwrap(),
            ("localhost".into(), 80, "/".into())
        );
        assert_eq!(
            parse_url("http://[::1]:9000/x").unwrap(),
            ("::1".into(), 9000, "/x".into())
        );
        assert!(parse_url("https://x").is_err());
    }
}
