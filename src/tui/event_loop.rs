//! The event loop: wait for one input, drain all others that are ready, update the
//! App for each, run the effects, and draw once if anything changed — at most once
//! per frame. Terminal input, snapshots (latest wins), action results and OS signals
//! all arrive here; nothing else touches the App.

use super::app::App;
use super::msg::{Effect, Msg};
use super::render::draw;
use super::terminal::{self, Term};
use super::update::update;
use crate::actions::{Action, Dispatcher};
use crate::sources::unitwatch::{self, WatchCtl};
use crate::sources::{CollectorHandle, detail};
use ratatui::crossterm::event::{self, Event, MouseEventKind};
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::Instant;

const FRAME: Duration = Duration::from_millis(16);

/// The unit watcher, started on first use, and the log follower of the open popup.
pub struct Units {
    bus: crate::systemd::Bus,
    sites: Arc<crate::model::site::Sites>,
    tx: Option<tokio::sync::watch::Sender<Arc<crate::model::services::UnitList>>>,
    ctl: Option<mpsc::UnboundedSender<WatchCtl>>,
    log: Option<tokio::task::JoinHandle<()>>,
    /// Rows a table shows: the first screen the watcher reads before the rest.
    screen_rows: usize,
    /// When the watcher was started (the services or sites screen first shown).
    opened: Option<Instant>,
    /// The unread rows on screen last told to the watcher.
    unread_sent: Vec<String>,
    first_screen_logged: bool,
}

impl Units {
    pub fn new(
        bus: crate::systemd::Bus,
        sites: Arc<crate::model::site::Sites>,
        tx: tokio::sync::watch::Sender<Arc<crate::model::services::UnitList>>,
        screen_rows: usize,
    ) -> Self {
        Self {
            bus,
            sites,
            tx: Some(tx),
            ctl: None,
            log: None,
            screen_rows,
            opened: None,
            unread_sent: Vec::new(),
            first_screen_logged: false,
        }
    }

    fn send(&mut self, c: WatchCtl, collector: &CollectorHandle) {
        if let Some(tx) = self.tx.take() {
            let refresh = collector.controller();
            self.opened = Some(Instant::now());
            self.ctl = Some(unitwatch::spawn(
                self.bus,
                self.sites.clone(),
                tx,
                self.screen_rows,
                move |rescan| {
                    let _ = refresh.send(if rescan {
                        crate::sources::Control::RefreshNow
                    } else {
                        crate::sources::Control::Rejoin
                    });
                },
            ));
            // A new watcher lists at once: a refresh now would list twice.
            if c == WatchCtl::Refresh {
                return;
            }
        }
        if let Some(ctl) = &self.ctl {
            let _ = ctl.send(c);
        }
    }

    /// After a frame of the services screen: tells the watcher which rows on screen
    /// still lack their properties (it reads those first), and logs once when the
    /// first screen is complete (`bench/services.sh` reads that line).
    fn drawn(&mut self, app: &App) {
        let (Some(ctl), Some(opened)) = (&self.ctl, self.opened) else {
            return;
        };
        if app.screen != crate::tui::screen::Screen::Services {
            return;
        }
        let (unread, shown) = app.screens.services.unread_on_screen(&app.data);
        if unread != self.unread_sent {
            tracing::debug!(
                "services screen drawn {:.1} ms after it was opened: {} of {shown} rows on screen unread",
                opened.elapsed().as_secs_f64() * 1000.0,
                unread.len()
            );
            let _ = ctl.send(WatchCtl::Visible(unread.clone()));
            self.unread_sent = unread;
        }
        if !self.first_screen_logged && shown > 0 && self.unread_sent.is_empty() {
            self.first_screen_logged = true;
            tracing::info!(
                "services first screen ready {:.1} ms after the screen was opened ({:.1} ms after start), {shown} rows",
                opened.elapsed().as_secs_f64() * 1000.0,
                super::since_start_ms()
            );
        }
    }
}

/// Why the loop ended.
#[derive(Debug)]
pub enum Exit {
    Quit,
    Signal(&'static str),
}

fn changes_screen(msg: &Msg) -> bool {
    match msg {
        Msg::Term(Event::Mouse(m)) => !matches!(m.kind, MouseEventKind::Moved),
        Msg::Term(Event::Key(_) | Event::Resize(..)) => true,
        Msg::Term(_) => false,
        _ => true,
    }
}

/// Reads terminal input on its own thread (blocking reads), so the loop drains input
/// with a plain `try_recv`. Ends when the loop is gone or the terminal fails.
fn spawn_input(tx: mpsc::UnboundedSender<Msg>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("qd-input".into())
        .spawn(move || {
            loop {
                let msg = match event::read() {
                    Ok(e) => Msg::Term(e),
                    Err(e) => Msg::InputClosed(e.to_string()),
                };
                let closed = matches!(msg, Msg::InputClosed(_));
                if tx.send(msg).is_err() || closed {
                    break;
                }
            }
        })?;
    Ok(())
}

pub async fn run(
    mut term: Term,
    mut app: App,
    dispatcher: Arc<Dispatcher>,
    collector: CollectorHandle,
    mut units: Units,
    mut remote: super::remote::Remote,
    initial: Vec<super::msg::Effect>,
) -> io::Result<Exit> {
    let exit = run_loop(
        &mut term,
        &mut app,
        &dispatcher,
        &collector,
        &mut units,
        &mut remote,
        initial,
    )
    .await;
    // Panes are closed (and their close recorded) whatever ended the loop.
    remote.shutdown().await;
    exit
}

async fn run_loop(
    term: &mut Term,
    app: &mut App,
    dispatcher: &Arc<Dispatcher>,
    collector: &CollectorHandle,
    units: &mut Units,
    remote: &mut super::remote::Remote,
    initial: Vec<super::msg::Effect>,
) -> io::Result<Exit> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    spawn_input(tx.clone())?;
    let mut snaps = collector.snapshots.clone();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut tick = tokio::time::interval(Duration::from_millis(120));
    let mut hosts_tick = tokio::time::interval(Duration::from_secs(1));
    for effect in initial {
        if let Some(e) = remote.effect(effect, dispatcher, &tx) {
            run_effect(e, term, dispatcher, collector, units, &tx)?;
        }
    }
    term.draw(|f| draw(f, app))?;
    tracing::info!(
        "first frame drawn {:.1} ms after start",
        super::since_start_ms()
    );
    let mut last_draw = Instant::now();
    let mut dirty = false;
    loop {
        let deadline = last_draw + FRAME;
        let msg = tokio::select! {
            r = snaps.changed() => {
                if r.is_err() {
                    return Ok(Exit::Quit);
                }
                Msg::Snapshot(snaps.borrow_and_update().clone())
            }
            Some(m) = rx.recv() => m,
            _ = sigterm.recv() => return Ok(Exit::Signal("SIGTERM")),
            _ = sighup.recv() => return Ok(Exit::Signal("SIGHUP")),
            _ = sigint.recv() => return Ok(Exit::Signal("SIGINT")),
            _ = tick.tick(), if app.busy.is_some() => Msg::Tick,
            _ = hosts_tick.tick(), if app.screen == crate::tui::screen::Screen::Hosts => remote.statuses(),
            _ = tokio::time::sleep_until(deadline), if dirty => {
                term.draw(|f| draw(f, app))?;
                units.drawn(app);
                last_draw = Instant::now();
                dirty = false;
                continue;
            }
        };
        let mut batch = vec![msg];
        // Drain what is already waiting, so a burst costs one frame.
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        if snaps.has_changed().unwrap_or(false) {
            batch.push(Msg::Snapshot(snaps.borrow_and_update().clone()));
        }
        // A key's frame is drawn at once and does not hold back the next frame of
        // data: the frame limit coalesces data (a burst of snapshots, log lines), and
        // a table's data that lands a few ms after the key that opened it is shown
        // then, not a frame's time later.
        let mut input = false;
        for msg in batch {
            input |= matches!(msg, Msg::Term(Event::Key(_) | Event::Resize(..)));
            if let Msg::InputClosed(e) = msg {
                // EIO and friends: the terminal is gone (SSH dropped). Never spin on it.
                return Err(io::Error::other(format!("terminal input failed: {e}")));
            }
            dirty |= changes_screen(&msg);
            let effects = update(app, msg);
            // The rows a table shows now: the first screen the unit watcher reads.
            units.screen_rows = app.table_height();
            for effect in effects {
                let Some(effect) = remote.effect(effect, dispatcher, &tx) else {
                    dirty = true;
                    continue;
                };
                if run_effect(effect, term, dispatcher, collector, units, &tx)? {
                    return Ok(Exit::Quit);
                }
                dirty = true;
            }
        }
        if dirty && (input || last_draw.elapsed() >= FRAME) {
            term.draw(|f| draw(f, app))?;
            units.drawn(app);
            if !input {
                last_draw = Instant::now();
            }
            dirty = false;
        }
    }
}

/// Runs one effect; true means quit.
fn run_effect(
    effect: Effect,
    term: &mut Term,
    dispatcher: &Arc<Dispatcher>,
    collector: &CollectorHandle,
    units: &mut Units,
    tx: &mpsc::UnboundedSender<Msg>,
) -> io::Result<bool> {
    match effect {
        Effect::Quit => return Ok(true),
        Effect::Dispatch { job, action } => {
            let d = dispatcher.clone();
            let tx = tx.clone();
            let is_unit = matches!(
                action,
                Action::Unit { .. } | Action::DaemonReload | Action::Command { .. }
            );
            let id = job.id;
            let (t1, t2) = (tx.clone(), tx.clone());
            let ctl = crate::actions::JobCtl {
                progress: Arc::new(move |o: &crate::actions::TargetOutcome| {
                    let _ = t1.send(Msg::Progress(id, o.clone()));
                }),
                output: Arc::new(move |target: &str, line: &str, _stderr: bool| {
                    let _ = t2.send(Msg::JobOutput(id, target.to_string(), line.to_string()));
                }),
                cancel: job.cancel.clone(),
            };
            tokio::spawn(async move {
                let r = d.dispatch_job(&action, &ctl).await;
                let _ = tx.send(Msg::ActionDone(id, r));
            });
            if is_unit {
                units.send(WatchCtl::Refresh, collector);
            }
        }
        Effect::LoadAudit => {
            let tx = tx.clone();
            let dir = dispatcher.audit_dir().map(std::path::Path::to_path_buf);
            let op = dispatcher.operator().clone();
            tokio::task::spawn_blocking(move || {
                let r = match dir {
                    None => Err("no audit log in this session".to_string()),
                    // A week back: the view is for what happened lately; `qd audit
                    // --since` reads further.
                    Some(dir) => crate::audit::read(
                        &dir,
                        crate::audit::now_ms().saturating_sub(7 * 86_400_000),
                    )
                    // What the operator may see of it, as `qd audit` shows.
                    .map(|(r, _)| r.into_iter().filter(|r| op.may_see_record(r)).collect()),
                };
                let _ = tx.send(Msg::AuditLoaded(r));
            });
        }
        Effect::LoadDetail {
            pid,
            starttime,
            values,
        } => {
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let d = detail::load(pid, starttime, values);
                let _ = tx.send(Msg::DetailLoaded(Box::new(d)));
            });
        }
        Effect::RevealEnviron(target) => {
            let (tx, d) = (tx.clone(), dispatcher.clone());
            tokio::task::spawn_blocking(move || {
                let r = d.reveal_environ(&target);
                let _ = tx.send(Msg::EnvironRevealed(target.pid, r));
            });
        }
        Effect::Collector(c) => collector.send(c),
        Effect::Units(c) => units.send(c, collector),
        Effect::OpenLog(list) => {
            if let Some(h) = units.log.take() {
                h.abort();
            }
            units.log = Some(tokio::spawn(super::logtask::follow(
                units.bus,
                list,
                units.sites.clone(),
                dispatcher.operator().clone(),
                tx.clone(),
            )));
        }
        Effect::EditEnv(service) => {
            let outcome = super::envedit::edit(term, dispatcher, &service)?;
            let _ = tx.send(Msg::EnvEdited(outcome, service));
        }
        Effect::CloseLog => {
            if let Some(h) = units.log.take() {
                h.abort();
            }
        }
        Effect::SetReadonly => dispatcher.set_readonly(),
        // The fleet's effects are run by `Remote` before they get here.
        Effect::HostsTick
        | Effect::OpenPane { .. }
        | Effect::PaneInput { .. }
        | Effect::PaneResize { .. }
        | Effect::ClosePane { .. }
        | Effect::Copy(_)
        | Effect::Answer(..) => {}
        Effect::ClearScreen => terminal::repaint(term)?,
        Effect::Suspend => {
            terminal::restore();
            // Stop the whole process group, as a shell's Ctrl-Z would: the job then
            // shows as stopped even when qd runs inside a script or subshell. Execution
            // continues here after `fg` (SIGCONT).
            let _ = rustix::process::kill_current_process_group(rustix::process::Signal::TSTP);
            terminal::resume(term)?;
        }
    }
    Ok(false)
}
