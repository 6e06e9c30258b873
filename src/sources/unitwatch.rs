//! Follows systemd's units for the TUI, event-driven: `Subscribe()`, then UnitNew,
//! UnitRemoved, JobRemoved, Reloading and PropertiesChanged on unit objects. The
//! first list is published at once with the states the list call gives; the other
//! properties are read in the background (`unitfill`), the rows on screen first.
//! While nothing changes, nothing is asked of systemd; a change re-reads only the
//! units it names (a new or removed unit re-lists the states of the selection and
//! reads the new ones; a reload or an action re-reads every unit in the background,
//! the last values shown meanwhile). Health probes run at their interval. The bus or
//! systemd going away is shown as an error with the last known rows, and the watcher
//! reconnects with backoff.

use super::services;
use super::unitfill::{Fill, pending, reread};
use crate::model::services::UnitList;
use crate::model::site::Sites;
use crate::model::unit::Unit;
use crate::systemd::props::Part;
use crate::systemd::units::Selection;
use crate::systemd::{Bus, Systemd, explain};
use futures_util::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use zbus::OwnedObjectPath;

/// Commands to the watcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchCtl {
    /// List every service unit (true) or only the sites' ones.
    AllUnits(bool),
    /// Re-list now (after an action).
    Refresh,
    /// The units the TUI shows whose properties are not read yet: read them first.
    Visible(Vec<String>),
}

/// Coalesces a burst of signals (a restart emits a dozen) into one read.
const SETTLE: Duration = Duration::from_millis(60);

/// How long the first screen's columns may take before the rows are shown without
/// them (states only, the columns `…` until read).
const EARLY: Duration = Duration::from_millis(25);

/// Signals queued before the watcher reads them: a bulk restart of hundreds of
/// units emits thousands at once.
const SIGNAL_QUEUE: Option<std::num::NonZeroUsize> = std::num::NonZeroUsize::new(4096);

/// Runs the watcher on the current tokio runtime. `on_change` is called after each
/// new list is published: with true after systemd's events (the TUI asks the
/// collector for a fresh snapshot: processes came or went), false when only the
/// list changed (properties read, health probed: the last processes are joined).
/// `screen_rows`: how many rows the first screen shows, read before the others.
pub fn spawn(
    bus: Bus,
    sites: Arc<Sites>,
    tx: watch::Sender<Arc<UnitList>>,
    screen_rows: usize,
    on_change: impl Fn(bool) + Send + Sync + 'static,
) -> mpsc::UnboundedSender<WatchCtl> {
    let (ctl_tx, mut ctl) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut state = State {
            all_units: sites.is_empty(),
            established: None,
            health: HashMap::new(),
            screen_rows,
        };
        let mut backoff = BACKOFF;
        let mut quiet = 0;
        // Sessions that ended after showing the table, in the current window.
        let mut ended = (std::time::Instant::now(), 0u32);
        loop {
            state.established = None;
            let err = session(bus, &sites, &tx, &mut ctl, &mut state, &on_change).await;
            let Some(err) = err else { return };
            // A session that worked for a while and then lost systemd: the manager
            // re-executing (`daemon-reexec`, as on an upgrade) drops its private
            // connections and, for a moment, its bus name. Reconnect at once, a few
            // times, before the table shows an error; and the next error waits the
            // first backoff again, not what earlier outages had grown it to. A manager
            // that drops every connection soon after it answers shows its error after
            // a few rounds of that, as before.
            if state.established.is_some() {
                if ended.0.elapsed() > ENDED_WINDOW {
                    ended = (std::time::Instant::now(), 0);
                }
                ended.1 += 1;
                if ended.1 <= ENDED_MAX {
                    backoff = BACKOFF;
                    quiet = QUIET_RETRIES;
                }
            }
            if quiet > 0 {
                quiet -= 1;
                tracing::debug!("unit watcher: {err}; reconnecting");
                tokio::select! {
                    _ = tokio::time::sleep(QUIET_PAUSE) => {}
                    c = ctl.recv() => match c {
                        None => return,
                        Some(WatchCtl::AllUnits(b)) => state.all_units = b,
                        Some(WatchCtl::Refresh | WatchCtl::Visible(_)) => {}
                    },
                }
                continue;
            }
            tracing::warn!("unit watcher: {err}");
            tx.send_modify(|l| {
                let mut next = (**l).clone();
                next.error = Some(err.clone());
                next.loaded = true;
                *l = Arc::new(next);
            });
            on_change(false);
            // Wait, but let a command (an operator pressing a key) retry at once.
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                c = ctl.recv() => match c {
                    None => return,
                    Some(WatchCtl::AllUnits(b)) => state.all_units = b,
                    Some(WatchCtl::Refresh | WatchCtl::Visible(_)) => {}
                },
            }
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
    });
    ctl_tx
}

/// The first wait after an error; it doubles with each error after that, up to 30 s.
const BACKOFF: Duration = Duration::from_millis(500);
/// At most this many sessions that showed the table and then ended are reconnected
/// quietly (and reset the backoff) per window.
const ENDED_MAX: u32 = 10;
const ENDED_WINDOW: Duration = Duration::from_secs(60);
/// Reconnects after such an end before the error is shown, and the pause before each.
const QUIET_RETRIES: u32 = 5;
const QUIET_PAUSE: Duration = Duration::from_millis(200);

struct State {
    all_units: bool,
    /// When this session first showed the table.
    established: Option<std::time::Instant>,
    /// unit -> (ok, detail, failing since unix seconds)
    health: HashMap<String, (bool, String, u64)>,
    screen_rows: usize,
}

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Lists the watched selection (site units that are not loaded included), states
/// only: the properties are read after.
pub(super) async fn list(
    sd: &Systemd,
    sites: &Sites,
    all: bool,
) -> zbus::Result<Vec<(Unit, OwnedObjectPath)>> {
    let sel = services::selection(sites, None, all).unwrap_or(Selection::Patterns(Vec::new()));
    services::list_states(sd, &sel, sites).await
}

/// One connection's life; `None` when the TUI has gone (stop), else the error.
async fn session(
    bus: Bus,
    sites: &Arc<Sites>,
    tx: &watch::Sender<Arc<UnitList>>,
    ctl: &mut mpsc::UnboundedReceiver<WatchCtl>,
    st: &mut State,
    on_change: &(impl Fn(bool) + Send + Sync),
) -> Option<String> {
    let t0 = std::time::Instant::now();
    let ms = move || t0.elapsed().as_secs_f64() * 1000.0;
    let sd = match Systemd::connect_for_reading(bus).await {
        Ok(s) => s,
        Err(e) => return Some(e),
    };
    tracing::debug!(
        "unit watcher: connected in {:.1} ms ({})",
        ms(),
        if sd.direct {
            "the manager's private socket"
        } else {
            "the bus"
        }
    );
    let e = |e: zbus::Error| Some(explain(&e, bus));
    let manager = match sd.manager().await {
        Ok(m) => m,
        Err(x) => return e(x),
    };
    // One match rule for every signal systemd sends (the manager's, and the
    // units' PropertiesChanged), added together with the subscription and both
    // answered before the list, so no change after the list is missed. One round
    // trip instead of one per signal.
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .sender("org.freedesktop.systemd1")
        .build();
    let rule = match rule {
        Ok(r) => r,
        Err(x) => return e(x),
    };
    let streams = futures_util::future::try_join(
        manager.subscribe(),
        zbus::MessageStream::for_match_rule(rule, sd.connection(), SIGNAL_QUEUE),
    );
    let mut signals = match streams.await {
        Ok(((), s)) => s,
        Err(x) => return e(x),
    };
    tracing::debug!("unit watcher: subscribed at {:.1} ms", ms());
    let mut rows = match list(&sd, sites, st.all_units).await {
        Ok(r) => r,
        Err(x) => return e(x),
    };
    tracing::debug!(
        "unit watcher: {} units listed at {:.1} ms",
        rows.len(),
        ms()
    );
    let health_every = sites
        .services()
        .filter_map(|r| r.service.health.as_ref().map(|h| h.interval))
        .min()
        .unwrap_or(Duration::from_secs(3600));
    let mut health_tick = tokio::time::interval(health_every);
    let mut full = false;
    // A reload or an action: every unit's properties may have changed.
    let mut refill = false;
    let mut changed: HashSet<String> = HashSet::new();
    let mut dirty_at: Option<tokio::time::Instant> = None;
    let mut fill = Fill::new(st.screen_rows);
    probe_health(&rows, sites, st).await;
    // The first screen's columns are read before the rows are shown, and the rows
    // go out with their states only if that takes longer than EARLY: through the
    // private socket it takes a few ms, and a frame of states followed by a frame of
    // columns would hold the second back by a frame's time (the loop draws at most
    // one frame per 16 ms).
    let mut order: Vec<String> = rows.iter().map(|(u, _)| u.unit.clone()).collect();
    order.sort_by_cached_key(|n| services::config_order(sites, n));
    fill.push(pending(&rows, order), true);
    {
        // The rows as listed, for the early table (the read below fills `rows`).
        let listed = rows.clone();
        let read = fill_chunk(&sd, &mut rows, &mut fill);
        tokio::pin!(read);
        let early = tokio::time::sleep(EARLY);
        tokio::pin!(early);
        let mut shown = false;
        loop {
            tokio::select! {
                biased;
                _ = &mut read => break,
                _ = &mut early, if !shown => {
                    shown = true;
                    publish(tx, &listed, st, sites);
                    on_change(false);
                }
            }
        }
    }
    tracing::debug!("unit watcher: first screen read at {:.1} ms", ms());
    publish(tx, &rows, st, sites);
    st.established = Some(std::time::Instant::now());
    on_change(false);
    loop {
        let settle = dirty_at;
        let filling = !fill.is_empty();
        let ev = tokio::select! {
            // Events and commands before the fill: a change or a scroll reorders it.
            biased;
            c = ctl.recv() => match c {
                None => return None,
                Some(WatchCtl::AllUnits(b)) => {
                    st.all_units = b;
                    Ev::Changed(None)
                }
                Some(WatchCtl::Refresh) => {
                    refill = true;
                    Ev::Changed(None)
                }
                Some(WatchCtl::Visible(names)) => {
                    fill.set_visible(names);
                    Ev::Ignore
                }
            },
            m = signals.next() => match m {
                Some(Ok(msg)) => classify(&msg, &rows, st.all_units),
                Some(Err(_)) => Ev::Ignore,
                None => Ev::Gone,
            },
            _ = health_tick.tick() => Ev::Health,
            _ = async {
                match settle {
                    Some(t) => tokio::time::sleep_until(t).await,
                    None => std::future::pending().await,
                }
            } => Ev::Settled,
            _ = std::future::ready(()), if filling => Ev::Fill,
        };
        match ev {
            Ev::Ignore => {}
            Ev::Gone => return Some("systemd or its bus went away".into()),
            Ev::Reload => {
                refill = true;
                full = true;
                dirty_at.get_or_insert_with(|| tokio::time::Instant::now() + SETTLE);
            }
            Ev::Changed(what) => {
                match what {
                    Some(u) => {
                        changed.insert(u);
                    }
                    None => full = true,
                }
                dirty_at.get_or_insert_with(|| tokio::time::Instant::now() + SETTLE);
            }
            Ev::Health => {
                if sites.services().any(|r| r.service.health.is_some()) {
                    probe_health(&rows, sites, st).await;
                    publish(tx, &rows, st, sites);
                    on_change(false);
                }
            }
            Ev::Fill => {
                let on_screen = fill_chunk(&sd, &mut rows, &mut fill).await;
                tracing::debug!(
                    "unit watcher: a chunk read at {:.1} ms (on screen: {on_screen})",
                    ms()
                );
                if on_screen || fill.is_empty() {
                    publish(tx, &rows, st, sites);
                    on_change(false);
                }
            }
            Ev::Settled => {
                if let Err(x) = reread(&sd, sites, st.all_units, &mut rows, full, &changed).await {
                    return e(x);
                }
                for u in &changed {
                    fill.remove(u);
                }
                // A unit that stopped or started: its health has likely changed too.
                if sites.services().any(|r| r.service.health.is_some()) {
                    probe_health(&rows, sites, st).await;
                }
                let order = publish(tx, &rows, st, sites);
                if std::mem::take(&mut refill) {
                    fill.push(order, true);
                } else {
                    fill.push(pending(&rows, order), true);
                }
                full = false;
                changed.clear();
                dirty_at = None;
                on_change(true);
            }
        }
    }
}

/// What a signal of systemd's means for the table.
fn classify(msg: &zbus::Message, rows: &[(Unit, OwnedObjectPath)], all_units: bool) -> Ev {
    const MANAGER: &str = "org.freedesktop.systemd1.Manager";
    let h = msg.header();
    let path = h.path().map(|p| p.as_str()).unwrap_or("");
    match (
        h.interface().map(|i| i.as_str()),
        h.member().map(|m| m.as_str()),
    ) {
        (Some(MANAGER), Some("JobRemoved")) => Ev::Changed(
            msg.body()
                .deserialize::<(u32, OwnedObjectPath, String, String)>()
                .ok()
                .map(|(_, _, unit, _)| unit),
        ),
        (Some(MANAGER), Some("UnitNew" | "UnitRemoved")) => Ev::Changed(None),
        (Some(MANAGER), Some("Reloading")) => Ev::Reload,
        (Some("org.freedesktop.DBus.Properties"), Some("PropertiesChanged"))
            if path.starts_with("/org/freedesktop/systemd1/unit/") =>
        {
            match rows.iter().find(|(_, q)| q.as_str() == path) {
                Some((u, _)) => Ev::Changed(Some(u.unit.clone())),
                // A unit outside the list changed: only the all-units view cares.
                None if all_units => Ev::Changed(None),
                None => Ev::Ignore,
            }
        }
        // Jobs' and the manager's own properties, JobNew, UnitFilesChanged...
        _ => Ev::Ignore,
    }
}

enum Ev {
    /// A reload of systemd: every unit is re-listed and re-read.
    Reload,
    Changed(Option<String>),
    Gone,
    Health,
    Settled,
    Fill,
    Ignore,
}

async fn probe_health(rows: &[(Unit, OwnedObjectPath)], sites: &Sites, st: &mut State) {
    let mut units: Vec<Unit> = rows.iter().map(|(u, _)| u.clone()).collect();
    services::check_health(&mut units, sites).await;
    for u in units {
        let Some(h) = u.health.as_deref() else {
            continue;
        };
        let ok = h == "ok";
        let detail = u.health_detail.clone().unwrap_or_default();
        let since = match st.health.get(&u.unit) {
            Some((was_ok, _, since)) if *was_ok == ok => *since,
            _ => now_s(),
        };
        st.health.insert(u.unit.clone(), (ok, detail, since));
    }
}

/// Publishes the rows in the table's order; returns that order (unit names).
/// Publishes the rows as the table shows them; their names in the table's order.
fn publish(
    tx: &watch::Sender<Arc<UnitList>>,
    rows: &[(Unit, OwnedObjectPath)],
    st: &State,
    sites: &Sites,
) -> Vec<String> {
    let list = table(rows, st, sites);
    let order = list.units.iter().map(|u| u.unit.clone()).collect();
    let _ = tx.send(Arc::new(list));
    order
}

/// Reads the next chunk of the fill (`Fill::take`): the columns of the rows on screen
/// that lack them (their other properties are queued again), everything of the
/// others. True when the chunk is what the TUI shows.
async fn fill_chunk(sd: &Systemd, rows: &mut [(Unit, OwnedObjectPath)], fill: &mut Fill) -> bool {
    let (names, on_screen) = fill.take();
    let mut again = Vec::new();
    let which: Vec<(usize, Part)> = names
        .iter()
        .filter_map(|n| rows.iter().position(|(u, _)| &u.unit == n))
        .map(|i| {
            let u = &rows[i].0;
            // The screen first: its columns now, the rest after.
            if on_screen && u.props_pending {
                again.push(u.unit.clone());
                (i, Part::Row)
            } else if !u.props_pending && u.detail_pending {
                (i, Part::Detail)
            } else {
                (i, Part::All)
            }
        })
        .collect();
    sd.read_props(rows, &which).await;
    fill.push(again, false);
    on_screen
}

/// The rows as the table shows them: tagged with their sites, descriptions made
/// inert, health joined, in the sites' config order.
fn table(rows: &[(Unit, OwnedObjectPath)], st: &State, sites: &Sites) -> UnitList {
    let mut units: Vec<Unit> = rows.iter().map(|(u, _)| u.clone()).collect();
    services::tag(&mut units, sites);
    for u in &mut units {
        u.description = crate::model::text::inert(&u.description, 256).into_owned();
        if let Some((ok, detail, since)) = st.health.get(&u.unit) {
            u.health = Some(if *ok { "ok" } else { "failing" }.into());
            u.health_detail = Some(detail.clone());
            u.health_since = *since;
        }
    }
    services::sort_config_order(&mut units, sites);
    UnitList {
        units,
        error: None,
        all_units: st.all_units,
        loaded: true,
    }
}
