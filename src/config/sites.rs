//! `[[site]]` and `[systemd]` in the config: parsed strictly, validated with the
//! position of the bad value, turned into `model::site::Sites`.

use super::duration;
use crate::model::site::{Health, Probe, Service, Site, SiteCommand};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;
use toml::Spanned;

type Span = std::ops::Range<usize>;
type Res<T> = Result<T, (Span, String)>;

pub const DEFAULT_UNIT_TEMPLATE: &str = "qd-{site}-{service}.service";

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSystemd {
    pub bus: Option<Spanned<String>>,
    pub bus_address: Option<Spanned<String>>,
    pub direct: Option<bool>,
    pub unit_template: Option<Spanned<String>>,
    pub unit_dir: Option<PathBuf>,
    pub unit_file_template: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    name: Spanned<String>,
    user: Spanned<String>,
    #[serde(default)]
    service: Vec<RawService>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    name: Spanned<String>,
    unit: Option<Spanned<String>>,
    port: Option<Spanned<i64>>,
    working_dir: Option<PathBuf>,
    exec_start: Option<Vec<String>>,
    env_file: Option<PathBuf>,
    health: Option<Spanned<RawHealth>>,
    memory_max: Option<String>,
    cpu_quota: Option<String>,
    #[serde(default)]
    read_write_paths: Vec<PathBuf>,
    log_file: Option<PathBuf>,
    #[serde(default)]
    command: Vec<RawCommand>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHealth {
    http: Option<String>,
    tcp: Option<i64>,
    command: Option<StringOrArgv>,
    interval: Option<String>,
    timeout: Option<String>,
    wait: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum StringOrArgv {
    Line(String),
    Argv(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommand {
    name: Spanned<String>,
    run: Spanned<StringOrArgv>,
    #[serde(default)]
    shell: bool,
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    requires_stop: bool,
    #[serde(default)]
    dangerous: bool,
    display_name: Option<String>,
    #[serde(default)]
    env: std::collections::BTreeMap<String, String>,
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !s.starts_with(['-', '.'])
}

/// Fills `{site}` and `{service}` into the unit name template.
pub fn unit_name(template: &str, site: &str, service: &str) -> String {
    template
        .replace("{site}", site)
        .replace("{service}", service)
}

fn argv(v: StringOrArgv, what: &str) -> Result<Vec<String>, String> {
    let argv = match v {
        StringOrArgv::Argv(a) => a,
        // A string is split like a shell would split words, but never run by one.
        StringOrArgv::Line(l) => l.split_whitespace().map(String::from).collect(),
    };
    if argv.first().is_none_or(|a| a.is_empty()) {
        return Err(format!(
            "{what} is empty: give the program and its arguments"
        ));
    }
    Ok(argv)
}

fn port(p: &Spanned<i64>, key: &str) -> Res<u16> {
    u16::try_from(*p.get_ref())
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            (
                p.span(),
                format!("{key} = {} is not a port (1 to 65535)", p.get_ref()),
            )
        })
}

fn health(h: Spanned<RawHealth>, site: &str) -> Res<Health> {
    let span = h.span();
    let key = format!("site.service.health (site {site})");
    let h = h.into_inner();
    let set = [h.http.is_some(), h.tcp.is_some(), h.command.is_some()];
    if set.iter().filter(|b| **b).count() != 1 {
        return Err((
            span,
            format!("{key}: give exactly one of http = URL, tcp = PORT, command = [...]"),
        ));
    }
    let probe = if let Some(url) = h.http {
        if !url.starts_with("http://") {
            return Err((
                span,
                format!("{key}: http = `{url}`: only http:// URLs are probed"),
            ));
        }
        Probe::Http(url)
    } else if let Some(p) = h.tcp {
        let sp = Spanned::new(span.clone(), p);
        Probe::Tcp(port(&sp, &format!("{key}.tcp"))?)
    } else {
        let c = h.command.ok_or_else(|| (span.clone(), key.clone()))?;
        Probe::Command(argv(c, &format!("{key}.command")).map_err(|m| (span.clone(), m))?)
    };
    let dur = |v: Option<String>, default: u64, name: &str| -> Res<Duration> {
        match v {
            None => Ok(Duration::from_secs(default)),
            Some(s) => duration::parse(&s)
                .map_err(|m| (span.clone(), format!("{key}.{name}: {m}")))
                .and_then(|d| {
                    if d < Duration::from_millis(100) {
                        Err((span.clone(), format!("{key}.{name}: at least 100ms")))
                    } else {
                        Ok(d)
                    }
                }),
        }
    };
    Ok(Health {
        probe,
        interval: dur(h.interval, 10, "interval")?,
        timeout: dur(h.timeout, 3, "timeout")?,
        wait: dur(h.wait, 30, "wait")?,
    })
}

fn command(c: RawCommand) -> Res<SiteCommand> {
    let name = c.name.get_ref().clone();
    if !is_name(&name) {
        return Err((
            c.name.span(),
            format!("site.service.command.name = `{name}`: use letters, digits, - _ ."),
        ));
    }
    let run_span = c.run.span();
    let key = format!("site.service.command.run (command {name})");
    // No shell unless the config asks for one: a string is a shell script, so it
    // needs `shell = true`, and an argv is never handed to a shell.
    let run = match (c.run.into_inner(), c.shell) {
        (StringOrArgv::Line(script), true) if !script.trim().is_empty() => {
            vec!["/bin/sh".into(), "-c".into(), script]
        }
        (StringOrArgv::Line(_), false) => {
            return Err((
                run_span,
                format!(
                    "{key} is a string: give an argv array, or set shell = true to run it with sh -c"
                ),
            ));
        }
        (StringOrArgv::Argv(_), true) => {
            return Err((
                run_span,
                format!("{key}: with shell = true, give the script as one string"),
            ));
        }
        (v, _) => argv(v, &key).map_err(|m| (run_span, m))?,
    };
    let timeout = match c.timeout {
        None => Duration::from_secs(300),
        Some(t) => duration::parse(t.get_ref())
            .map_err(|m| (t.span(), format!("site.service.command.timeout: {m}")))?,
    };
    for k in c.env.keys() {
        if !crate::model::envfile::is_key(k) {
            return Err((
                c.name.span(),
                format!("site.service.command.env (command {name}): `{k}` is not a variable name"),
            ));
        }
    }
    Ok(SiteCommand {
        display_name: c.display_name.unwrap_or_else(|| name.clone()),
        name,
        run,
        shell: c.shell,
        env: c.env.into_iter().collect(),
        timeout,
        requires_stop: c.requires_stop,
        dangerous: c.dangerous,
    })
}

/// The built-in `health` command: a service whose health check is a command can run
/// it on demand, unless it defines a `health` command of its own.
fn builtin_health(health: Option<&Health>, commands: &mut Vec<SiteCommand>) {
    let Some(Health {
        probe: Probe::Command(argv),
        timeout,
        ..
    }) = health
    else {
        return;
    };
    if commands.iter().any(|c| c.name == "health") {
        return;
    }
    commands.push(SiteCommand {
        name: "health".into(),
        display_name: "health check".into(),
        run: argv.clone(),
        shell: false,
        env: Vec::new(),
        timeout: *timeout,
        requires_stop: false,
        dangerous: false,
    });
}

/// Validates the `[[site]]` tables. `template` names units whose `unit` is not set.
pub fn build(raw: Vec<RawSite>, template: &str) -> Res<Vec<Site>> {
    // Sets, not scans: a config of 200k services checks in linear time.
    let mut sites: Vec<Site> = Vec::with_capacity(raw.len());
    let mut site_names: HashSet<String> = HashSet::with_capacity(raw.len());
    let mut units: HashSet<String> = HashSet::new();
    for s in raw {
        let name = s.name.get_ref().clone();
        if !is_name(&name) {
            return Err((
                s.name.span(),
                format!(
                    "site.name = `{name}`: use letters, digits, - _ . (it names units and files)"
                ),
            ));
        }
        if !site_names.insert(name.clone()) {
            return Err((
                s.name.span(),
                format!("site.name = `{name}` is defined twice"),
            ));
        }
        let user = s.user.get_ref().clone();
        if !is_name(&user) {
            return Err((
                s.user.span(),
                format!("site.user = `{user}` is not a user name"),
            ));
        }
        let mut services: Vec<Service> = Vec::with_capacity(s.service.len());
        let mut service_names: HashSet<String> = HashSet::with_capacity(s.service.len());
        for r in s.service {
            let sname = r.name.get_ref().clone();
            if !is_name(&sname) {
                return Err((
                    r.name.span(),
                    format!(
                        "site.service.name = `{sname}` (site {name}): use letters, digits, - _ ."
                    ),
                ));
            }
            if !service_names.insert(sname.clone()) {
                return Err((
                    r.name.span(),
                    format!("site.service.name = `{sname}` is defined twice in site {name}"),
                ));
            }
            let unit = match &r.unit {
                Some(u) => u.get_ref().clone(),
                None => unit_name(template, &name, &sname),
            };
            let unit_span = r.unit.as_ref().map(|u| u.span()).unwrap_or(r.name.span());
            if !unit.ends_with(".service") || !is_name(&unit) {
                return Err((
                    unit_span,
                    format!(
                        "site.service.unit = `{unit}` (site {name}): a unit name ending in .service"
                    ),
                ));
            }
            if !units.insert(unit.clone()) {
                return Err((
                    unit_span,
                    format!("unit `{unit}` belongs to two services; each unit to one service"),
                ));
            }
            let port = r
                .port
                .as_ref()
                .map(|p| port(p, "site.service.port"))
                .transpose()?;
            let health = r.health.map(|h| health(h, &name)).transpose()?;
            let mut commands = Vec::new();
            for c in r.command {
                let span = c.name.span();
                let c = command(c)?;
                if commands.iter().any(|x: &SiteCommand| x.name == c.name) {
                    return Err((
                        span,
                        format!(
                            "site.service.command.name = `{}` is defined twice in {name}/{sname}",
                            c.name
                        ),
                    ));
                }
                commands.push(c);
            }
            builtin_health(health.as_ref(), &mut commands);
            services.push(Service {
                name: sname.into(),
                unit,
                port,
                working_dir: r.working_dir,
                exec_start: r.exec_start.unwrap_or_default(),
                env_file: r.env_file,
                health,
                memory_max: r.memory_max,
                cpu_quota: r.cpu_quota,
                read_write_paths: r.read_write_paths,
                log_file: r.log_file,
                commands,
            });
        }
        sites.push(Site {
            name: name.into(),
            user,
            trusted: false,
            services,
        });
    }
    Ok(sites)
}
