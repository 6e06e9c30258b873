//! Sites as the config defines them: a Linux user, its services (systemd units) and
//! their ports, health checks and commands. Plain data; `config::sites` builds it and
//! every layer reads it to tag processes, ports and units with their site.

use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    pub name: Arc<str>,
    /// The Linux user the site's services and commands run as.
    pub user: String,
    /// Defined in a root-owned file no one else can write: only such a site's
    /// commands run when qd runs as root (see `config::trust`).
    #[serde(skip)]
    pub trusted: bool,
    pub services: Vec<Service>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    pub name: Arc<str>,
    /// The systemd unit, `qd-shop-api.service` (from `[systemd] unit_template` unless set).
    pub unit: String,
    pub port: Option<u16>,
    pub working_dir: Option<PathBuf>,
    /// argv of the service's main process; needed only to render a unit file.
    pub exec_start: Vec<String>,
    pub env_file: Option<PathBuf>,
    pub health: Option<Health>,
    /// systemd's MemoryMax= (`512M`) and CPUQuota= (`50%`) for rendered units.
    pub memory_max: Option<String>,
    pub cpu_quota: Option<String>,
    /// Paths the rendered unit may write besides its log file (ProtectSystem=strict).
    pub read_write_paths: Vec<PathBuf>,
    /// Where the rendered unit appends stdout and stderr.
    pub log_file: Option<PathBuf>,
    pub commands: Vec<SiteCommand>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Probe {
    /// GET this URL; a 2xx or 3xx status is healthy.
    Http(String),
    /// Connect to this port on 127.0.0.1.
    Tcp(u16),
    /// Run this argv as the site's user; exit 0 is healthy.
    Command(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    pub probe: Probe,
    #[serde(with = "secs")]
    pub interval: Duration,
    #[serde(with = "secs")]
    pub timeout: Duration,
    /// How long a started or restarted service may take to pass the check.
    #[serde(with = "secs")]
    pub wait: Duration,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteCommand {
    pub name: String,
    /// What menus show; the name when the config gives none.
    pub display_name: String,
    /// The argv; with `shell`, `["/bin/sh", "-c", SCRIPT]`.
    pub run: Vec<String>,
    /// The config gave a script for `sh -c`: only when it says `shell = true`.
    pub shell: bool,
    /// Added to the clean environment, after the service's env file.
    pub env: Vec<(String, String)>,
    #[serde(with = "secs")]
    pub timeout: Duration,
    /// Stop the unit before, start it again after, whatever the result.
    pub requires_stop: bool,
    /// Admin only, with a typed confirmation.
    pub dangerous: bool,
}

mod secs {
    pub fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

/// Every site of the config, with the lookups the collectors need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sites {
    pub sites: Vec<Site>,
    by_unit: HashMap<String, (usize, usize)>,
    by_user: HashMap<String, usize>,
}

/// A service with the site it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct ServiceRef<'a> {
    pub site: &'a Site,
    pub service: &'a Service,
}

impl<'a> ServiceRef<'a> {
    /// `shop/api`
    pub fn id(&self) -> String {
        format!("{}/{}", self.site.name, self.service.name)
    }
}

impl Sites {
    pub fn new(sites: Vec<Site>) -> Self {
        let mut by_unit = HashMap::new();
        let mut by_user = HashMap::new();
        for (i, site) in sites.iter().enumerate() {
            by_user.entry(site.user.clone()).or_insert(i);
            for (j, svc) in site.services.iter().enumerate() {
                by_unit.insert(svc.unit.clone(), (i, j));
            }
        }
        Self {
            sites,
            by_unit,
            by_user,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    pub fn site(&self, name: &str) -> Option<&Site> {
        self.sites.iter().find(|s| &*s.name == name)
    }

    /// The service running as `unit`, if a site declares it.
    pub fn by_unit(&self, unit: &str) -> Option<ServiceRef<'_>> {
        let &(i, j) = self.by_unit.get(unit)?;
        let site = &self.sites[i];
        Some(ServiceRef {
            site,
            service: &site.services[j],
        })
    }

    /// The site a process belongs to: the site of its unit, else the site whose
    /// user runs it.
    pub fn site_of(&self, unit: Option<&str>, user: &str) -> Option<&Arc<str>> {
        if let Some(r) = unit.and_then(|u| self.by_unit(u)) {
            return Some(&r.site.name);
        }
        self.by_user.get(user).map(|&i| &self.sites[i].name)
    }

    /// Every service of every site, in config order.
    pub fn services(&self) -> impl Iterator<Item = ServiceRef<'_>> {
        self.sites.iter().flat_map(|site| {
            site.services
                .iter()
                .map(move |service| ServiceRef { site, service })
        })
    }

    /// Resolves `shop/api`, a site name (all its services) or a unit name (which may
    /// belong to no site: then `Err` carries the unit for the caller to use as is).
    pub fn resolve(&self, spec: &str) -> Result<Vec<ServiceRef<'_>>, String> {
        if let Some((site, svc)) = spec.split_once('/') {
            let s = self
                .site(site)
                .ok_or_else(|| format!("no site `{site}` in the config"))?;
            let service = s.services.iter().find(|x| &*x.name == svc).ok_or_else(|| {
                format!(
                    "site `{site}` has no service `{svc}` (it has: {})",
                    s.services
                        .iter()
                        .map(|x| &*x.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            return Ok(vec![ServiceRef { site: s, service }]);
        }
        if let Some(s) = self.site(spec) {
            return Ok(s
                .services
                .iter()
                .map(|service| ServiceRef { site: s, service })
                .collect());
        }
        match self.by_unit(spec) {
            Some(r) => Ok(vec![r]),
            None => Err(spec.to_string()),
        }
    }
}
