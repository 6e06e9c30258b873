//! The services table as both the CLI and the TUI build it: which units to list for
//! the configured sites, each unit tagged with its site and service, the declared
//! port checked against the listening sockets, health probed.

use crate::model::port::Scope;
use crate::model::site::Sites;
use crate::model::unit::Unit;
use crate::sources::health;
use crate::systemd::Systemd;
use crate::systemd::props::Part;
use crate::systemd::units::Selection;
use futures_util::future::join_all;
use std::collections::HashSet;
use zbus::OwnedObjectPath;

/// The units to list: the services of every site (or of `site`), and with
/// `all_units` (or without any site) every loaded service unit too.
pub fn selection(sites: &Sites, site: Option<&str>, all_units: bool) -> Result<Selection, String> {
    if let Some(name) = site {
        let s = sites.site(name).ok_or_else(|| {
            let known: Vec<&str> = sites.sites.iter().map(|s| &*s.name).collect();
            if known.is_empty() {
                format!("no site `{name}`: the config defines no sites ([[site]])")
            } else {
                format!("no site `{name}` (sites: {})", known.join(", "))
            }
        })?;
        return Ok(Selection::Names(
            s.services.iter().map(|x| x.unit.clone()).collect(),
        ));
    }
    if sites.is_empty() || all_units {
        return Ok(Selection::Patterns(vec!["*.service".into()]));
    }
    Ok(Selection::Names(
        sites.services().map(|r| r.service.unit.clone()).collect(),
    ))
}

/// Lists `sel` with each unit's object path and every property.
pub async fn list(
    sd: &Systemd,
    sel: &Selection,
    sites: &Sites,
) -> zbus::Result<Vec<(Unit, OwnedObjectPath)>> {
    let mut units = list_states(sd, sel, sites).await?;
    let all: Vec<(usize, Part)> = (0..units.len()).map(|i| (i, Part::All)).collect();
    sd.read_props(&mut units, &all).await;
    Ok(units)
}

/// Lists `sel` with each unit's object path and states, the other properties not
/// read (`props_pending`). A pattern listing names only loaded units, so the sites'
/// units that systemd has unloaded (stopped) are added by name.
pub async fn list_states(
    sd: &Systemd,
    sel: &Selection,
    sites: &Sites,
) -> zbus::Result<Vec<(Unit, OwnedObjectPath)>> {
    let mut units = sd.list_states(sel).await?;
    if let Selection::Patterns(_) = sel {
        let listed: HashSet<&str> = units.iter().map(|(u, _)| u.unit.as_str()).collect();
        let missing: Vec<String> = sites
            .services()
            .map(|r| r.service.unit.clone())
            .filter(|n| !listed.contains(n.as_str()))
            .collect();
        if !missing.is_empty() {
            units.extend(sd.list_states(&Selection::Names(missing)).await?);
        }
    }
    Ok(units)
}

/// Sites' units first, in config order; then the other units by name.
pub fn sort_config_order(units: &mut [Unit], sites: &Sites) {
    units.sort_by_cached_key(|u| config_order(sites, &u.unit));
}

/// Where `unit` sorts: the sites' services in config order, then every other unit by
/// name.
pub fn config_order(sites: &Sites, unit: &str) -> (usize, String) {
    let pos = sites.services().position(|r| r.service.unit == unit);
    (pos.unwrap_or(usize::MAX), unit.to_string())
}

/// Fills in site, service and declared port.
pub fn tag(units: &mut [Unit], sites: &Sites) {
    for u in units {
        if let Some(r) = sites.by_unit(&u.unit) {
            u.site = Some(r.site.name.clone());
            u.service = Some(r.service.name.clone());
            u.port = r.service.port;
        }
    }
}

/// Marks whether each declared port has a listener, from one socket dump.
pub fn check_ports(units: &mut [Unit]) {
    if units.iter().all(|u| u.port.is_none()) {
        return;
    }
    let listening: HashSet<u16> = crate::sources::ports::listening_ports(Scope::Listening);
    for u in units {
        u.listening = u.port.map(|p| listening.contains(&p));
    }
}

/// Probes every unit whose service has a health check, concurrently.
pub async fn check_health(units: &mut [Unit], sites: &Sites) {
    let probes: Vec<_> = units
        .iter()
        .map(|u| {
            let r = sites.by_unit(&u.unit);
            async move {
                let r = r?;
                let h = r.service.health.as_ref()?;
                Some(health::probe(h, r.site).await)
            }
        })
        .collect();
    for (u, res) in units.iter_mut().zip(join_all(probes).await) {
        match res {
            Some(Ok(d)) => {
                u.health = Some("ok".into());
                u.health_detail = Some(d);
            }
            Some(Err(d)) => {
                u.health = Some("failing".into());
                u.health_detail = Some(d);
            }
            None => {}
        }
    }
}
