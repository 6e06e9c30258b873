//! Showing this host's tables, the App's side: what each needs collected (the
//! sockets for the ports, services and sites screens, the unit watcher started once
//! for the services and sites), and one site's focus (`:site NAME`, Enter on a site),
//! which every host table reads from `Data.site`.

use super::app::{App, Level};
use super::msg::Effect;
use super::screen::Screen;
use crate::sources::Control;
use crate::sources::unitwatch::WatchCtl;

/// Effects a screen switch needs: sockets for the ports, services and sites screens
/// (the PORT column and the sites' port counts), and the unit watcher, started once.
pub fn switch_effects(app: &mut App, mode: Screen) -> Vec<Effect> {
    let scope = match mode {
        Screen::Ports => Some(app.screens.ports.scope()),
        // The PORT column and the sites' port counts; without declared ports, the
        // socket dump (~7 ms per refresh with 2000 sockets) is not worth it.
        Screen::Services | Screen::Sites if app.data.service_ports => {
            Some(app.screens.ports.scope())
        }
        Screen::Services | Screen::Sites => None,
        Screen::Processes => None,
        // The fleet, jobs and audit screens leave this host's collection as it is.
        _ => return Vec::new(),
    };
    let mut fx = vec![Effect::Collector(Control::Ports(scope))];
    if matches!(mode, Screen::Services | Screen::Sites) && !app.units_started {
        app.units_started = true;
        fx.push(Effect::Units(WatchCtl::Refresh));
    }
    fx
}

/// `:site NAME` (empty: all sites): one site's services, processes and ports.
pub fn focus_site(app: &mut App, name: &str) -> Vec<Effect> {
    if name.is_empty() {
        app.data.site = None;
        app.set_status(Level::Info, "all sites");
        app.rebuild();
        return Vec::new();
    }
    let known = app.data.snapshot.services.as_ref().and_then(|t| {
        t.sites
            .iter()
            .find(|s| &*s.name == name)
            .map(|s| s.name.clone())
    });
    let Some(site) = known.or_else(|| app.data.site_names.iter().find(|s| &***s == name).cloned())
    else {
        let all: Vec<&str> = app.data.site_names.iter().map(|s| &**s).collect();
        app.set_status(
            Level::Error,
            if all.is_empty() {
                format!("no site `{name}`: the config defines no sites")
            } else {
                format!("no site `{name}` (sites: {})", all.join(", "))
            },
        );
        return Vec::new();
    };
    app.data.site = Some(site.clone());
    app.set_status(
        Level::Info,
        format!("site {site}: Tab cycles services, processes, ports · :site clears"),
    );
    let mut fx = Vec::new();
    if app.home != Screen::Services {
        app.show(Screen::Services);
        fx = switch_effects(app, Screen::Services);
    }
    app.rebuild();
    fx
}
