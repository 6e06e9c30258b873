//! Health probes of site services: an HTTP GET, a TCP connect, or a command.
//!
//! Each probe has a timeout and never follows redirects or talks TLS: it checks that
//! the service answers, nothing more. Commands run without a shell, with a clean
//! environment, as the site's user when qd runs as root.

use crate::model::site::{Health, Probe};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `Ok(detail)` when healthy, `Err(why)` when not.
pub async fn probe(h: &Health, user: &str) -> Result<String, String> {
    match tokio::time::timeout(h.timeout, run(&h.probe, user)).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {} ms", h.timeout.as_millis())),
    }
}

async fn run(p: &Probe, user: &str) -> Result<String, String> {
    match p {
        Probe::Tcp(port) => connect("127.0.0.1", *port)
            .await
            .map(|_| format!("port {port} accepts connections")),
        Probe::Http(url) => http(url).await,
        Probe::Command(argv) => command(argv, user).await,
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

async fn command(argv: &[String], user: &str) -> Result<String, String> {
    let Some((prog, args)) = argv.split_first() else {
        return Err("empty command".into());
    };
    let mut cmd = tokio::process::Command::new(prog);
    cmd.args(args)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    if rustix::process::getuid().is_root() {
        let (uid, gid) = crate::sys::users::lookup(user)
            .ok_or_else(|| format!("site user `{user}` does not exist"))?;
        cmd.uid(uid).gid(gid);
    }
    let status = cmd
        .status()
        .await
        .map_err(|e| format!("cannot run {prog}: {e}"))?;
    if status.success() {
        Ok("exit 0".into())
    } else {
        Err(match status.code() {
            Some(c) => format!("exit {c}"),
            None => "killed by a signal".into(),
        })
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
