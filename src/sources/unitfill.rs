//! The unit watcher's background fill: the units listed with their states only
//! (`Unit::props_pending`, `detail_pending`) or due for a fresh read, queued in the
//! table's order and read a chunk at a time between events, the rows the TUI has on
//! screen first (`WatchCtl::Visible`). A chunk that touches the screen reads only
//! the table's columns and is published at once (its detail is queued again); the
//! rest is read whole and published when the queue runs dry, so a 500-unit fill
//! costs the collector a few refreshes, not one per chunk. After events, `reread`
//! lists the states again and reads the units the events named at once.

use crate::model::site::Sites;
use crate::model::unit::Unit;
use crate::systemd::Systemd;
use crate::systemd::props::{IN_FLIGHT, Part};
use crate::systemd::units::Selection;
use std::collections::{HashMap, HashSet};
use zbus::OwnedObjectPath;

#[derive(Debug, Default)]
pub struct Fill {
    /// Units to read, in the table's order.
    queue: Vec<String>,
    queued: HashSet<String>,
    /// What the TUI shows now and has not got the properties of: read first.
    visible: Vec<String>,
    /// Rows of the first chunk after a list, before the TUI says what it shows: the
    /// table's first screen in its default order.
    screen_rows: usize,
    /// The next chunk is the first after a list: it is the first screen.
    first: bool,
}

impl Fill {
    pub fn new(screen_rows: usize) -> Self {
        Self {
            screen_rows: screen_rows.max(1),
            ..Self::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Queues `names` (in the table's order) behind what is queued; a name already
    /// queued keeps its place. `first`: these come from a new list, and the next
    /// chunk is what the first screen shows.
    pub fn push(&mut self, names: impl IntoIterator<Item = String>, first: bool) {
        for n in names {
            if self.queued.insert(n.clone()) {
                self.queue.push(n);
            }
        }
        self.first |= first && !self.queue.is_empty();
    }

    /// `name` was read by other means (a change event re-read it).
    pub fn remove(&mut self, name: &str) {
        if self.queued.remove(name) {
            self.queue.retain(|n| n != name);
        }
    }

    pub fn set_visible(&mut self, names: Vec<String>) {
        self.visible = names;
    }

    /// The next units to read: the queued ones on screen, then the queue in order,
    /// one screen for the first chunk after a list and `IN_FLIGHT` after that. True
    /// when the chunk is what the TUI shows (publish it at once).
    pub fn take(&mut self) -> (Vec<String>, bool) {
        let size = if self.first {
            self.screen_rows
        } else {
            IN_FLIGHT
        };
        let mut chunk: Vec<String> = Vec::with_capacity(size);
        let mut on_screen = std::mem::take(&mut self.first);
        for n in &self.visible {
            if chunk.len() < size && self.queued.remove(n) {
                chunk.push(n.clone());
                on_screen = true;
            }
        }
        if !chunk.is_empty() {
            self.queue.retain(|n| self.queued.contains(n));
        }
        let rest = size - chunk.len();
        let n = rest.min(self.queue.len());
        for name in self.queue.drain(..n) {
            self.queued.remove(&name);
            chunk.push(name);
        }
        (chunk, on_screen)
    }
}

/// The rows of a fresh list (`fresh`, states only), given what was known before
/// (`old`): a unit whose states did not change and that no event named (`changed`)
/// keeps its last properties and pending flags (systemd signals every change of the
/// ones it emits, and the watcher follows them); every other one is pending.
pub fn carry_over<P>(
    old: Vec<(Unit, P)>,
    fresh: Vec<(Unit, P)>,
    changed: &HashSet<String>,
) -> Vec<(Unit, P)> {
    let mut known: HashMap<String, Unit> = old
        .into_iter()
        .filter(|(u, _)| !changed.contains(&u.unit))
        .map(|(u, _)| (u.unit.clone(), u))
        .collect();
    fresh
        .into_iter()
        .map(|(mut u, p)| {
            if let Some(o) = known.remove(&u.unit)
                && (&o.load_state, &o.active_state, &o.sub_state)
                    == (&u.load_state, &u.active_state, &u.sub_state)
            {
                u.main_pid = o.main_pid;
                u.restarts = o.restarts;
                u.active_since_us = o.active_since_us;
                u.props_pending = o.props_pending;
                u.memory_bytes = o.memory_bytes;
                u.cpu_nsec = o.cpu_nsec;
                u.tasks = o.tasks;
                u.can_reload = o.can_reload;
                u.unit_file_state = o.unit_file_state;
                u.fragment_path = o.fragment_path;
                u.detail_pending = o.detail_pending;
            }
            (u, p)
        })
        .collect()
}

/// The names of `order` whose properties are not all read yet.
pub fn pending(rows: &[(Unit, OwnedObjectPath)], order: Vec<String>) -> Vec<String> {
    let waiting: HashSet<&str> = rows
        .iter()
        .filter(|(u, _)| u.props_pending || u.detail_pending)
        .map(|(u, _)| u.unit.as_str())
        .collect();
    order
        .into_iter()
        .filter(|n| waiting.contains(n.as_str()))
        .collect()
}

/// After a burst of events: the whole selection's states again (`full`: a unit came
/// or went, a reload, a command) or only the units the events named; those named are
/// read now, so the table never shows their old values.
pub async fn reread(
    sd: &Systemd,
    sites: &Sites,
    all_units: bool,
    rows: &mut Vec<(Unit, OwnedObjectPath)>,
    full: bool,
    changed: &HashSet<String>,
) -> zbus::Result<()> {
    if full {
        let fresh = super::unitwatch::list(sd, sites, all_units).await?;
        *rows = carry_over(std::mem::take(rows), fresh, changed);
    } else {
        let names: Vec<String> = changed.iter().cloned().collect();
        for (u, p) in sd.list_states(&Selection::Names(names)).await? {
            match rows.iter_mut().find(|(x, _)| x.unit == u.unit) {
                Some(slot) => *slot = (u, p),
                None if all_units || sites.by_unit(&u.unit).is_some() => rows.push((u, p)),
                None => {}
            }
        }
    }
    let now: Vec<(usize, Part)> = rows
        .iter()
        .enumerate()
        .filter(|(_, (u, _))| changed.contains(&u.unit))
        .map(|(i, _)| (i, Part::All))
        .collect();
    sd.read_props(rows, &now).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("u{i}.service")).collect()
    }

    #[test]
    fn the_first_screen_first_then_what_is_shown_then_the_rest() {
        let mut f = Fill::new(3);
        f.push(names(200), true);
        let (c, now) = f.take();
        assert_eq!(c, names(3), "the first screen of the table's order");
        assert!(now);
        f.set_visible(vec!["u150.service".into(), "u1.service".into()]);
        let (c, now) = f.take();
        assert_eq!(c[0], "u150.service", "what is on screen comes first");
        assert!(!c.contains(&"u1.service".to_string()), "already read");
        assert_eq!(c[1], "u3.service");
        assert_eq!(c.len(), IN_FLIGHT);
        assert!(now);
        let mut taken = vec!["u0.service", "u1.service", "u2.service"];
        taken.extend(c.iter().map(String::as_str));
        let (c, now) = f.take();
        assert!(!now, "nothing on screen in this chunk");
        let mut rest = c;
        while !f.is_empty() {
            rest.extend(f.take().0);
        }
        taken.extend(rest.iter().map(String::as_str));
        taken.sort_unstable();
        let mut all = names(200);
        all.sort_unstable();
        assert_eq!(taken, all, "every unit read, each once");
    }

    #[test]
    fn a_unit_read_by_an_event_leaves_the_queue() {
        let mut f = Fill::new(50);
        f.push(names(3), false);
        f.push(names(3), false);
        f.remove("u1.service");
        assert_eq!(f.take().0, vec!["u0.service", "u2.service"]);
        assert!(f.is_empty());
    }

    #[test]
    fn properties_are_kept_only_for_units_whose_states_held() {
        let unit = |n: &str, active: &str, pid: u32, pending: bool| Unit {
            unit: n.into(),
            active_state: active.into(),
            main_pid: pid,
            props_pending: pending,
            detail_pending: pending,
            ..Unit::default()
        };
        let old = vec![
            (unit("a", "active", 10, false), ()),
            (unit("b", "active", 11, false), ()),
            (unit("c", "active", 12, false), ()),
            (unit("d", "active", 0, true), ()),
        ];
        let fresh = vec![
            (unit("a", "active", 0, true), ()),
            (unit("b", "failed", 0, true), ()),
            (unit("c", "active", 0, true), ()),
            (unit("d", "active", 0, true), ()),
            (unit("e", "active", 0, true), ()),
        ];
        let changed: HashSet<String> = ["c".to_string()].into();
        let rows = carry_over(old, fresh, &changed);
        let got: Vec<(&str, u32, bool)> = rows
            .iter()
            .map(|(u, _)| (&*u.unit, u.main_pid, u.props_pending))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", 10, false),
                ("b", 0, true),
                ("c", 0, true),
                ("d", 0, true),
                ("e", 0, true)
            ]
        );
    }
}
