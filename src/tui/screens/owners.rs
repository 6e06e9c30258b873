//! The actions on processes that more than one table offers — signal, nice, restart —
//! from the processes a table's targets stand for (a process row is its process; a
//! socket row, the process holding it). The processes and ports screens share this,
//! so the readonly refusal, the policy check before a menu, the "left out" warning
//! and the restart through systemd read the same everywhere. Nothing here dispatches:
//! it returns the `Act`s a screen hands back.

use crate::actions::{Action, NiceChange, ProcTarget, Sig, UnitTarget};
use crate::config::command::NiceArg;
use crate::systemd::jobs::UnitOp;
use crate::tui::data::Data;
use crate::tui::msg::Act;
use crate::tui::popup::{InputKind, Popup};

/// The processes an action from a table applies to.
#[derive(Debug, Default)]
pub struct Owners {
    /// Deduplicated, in view order.
    pub procs: Vec<ProcTarget>,
    /// Target rows whose owning process cannot be seen: left out, and said so.
    pub unknown: usize,
}

impl Owners {
    /// The owners of the target rows, in their order (`None`: no visible owner).
    pub fn of(rows: impl IntoIterator<Item = Option<ProcTarget>>) -> Self {
        let mut o = Owners::default();
        for t in rows {
            match t {
                Some(p) => {
                    if !o
                        .procs
                        .iter()
                        .any(|q| q.pid == p.pid && q.starttime == p.starttime)
                    {
                        o.procs.push(p);
                    }
                }
                None => o.unknown += 1,
            }
        }
        o
    }

    /// The targets, or what to say instead (readonly, nothing selected, no owner);
    /// with the warning for owners left out first, when some are.
    fn checked(self, data: &Data) -> Result<(Vec<ProcTarget>, Vec<Act>), Vec<Act>> {
        // The dispatcher refuses readonly actions anyway; saying so here spares the
        // operator a menu and a dialog that can only end in a denial.
        if data.readonly {
            return Err(vec![Act::warn(
                "readonly: actions are refused in this session",
            )]);
        }
        if self.procs.is_empty() {
            return Err(vec![Act::info(if self.unknown > 0 {
                unknown_owner_hint(data.operator.uid)
            } else {
                "nothing selected"
            })]);
        }
        let mut before = Vec::new();
        if self.unknown > 0 {
            before.push(Act::warn(format!(
                "{} marked socket(s) have no visible owner and are left out",
                self.unknown
            )));
        }
        Ok((self.procs, before))
    }
}

/// `k` (the menu) or `:signal SIG`.
pub fn signal(data: &Data, owners: Owners, sig: Option<Sig>) -> Vec<Act> {
    match owners.checked(data) {
        Ok((targets, mut acts)) => {
            acts.extend(signal_acts(targets, sig));
            acts
        }
        Err(acts) => acts,
    }
}

/// The signal to `targets`, or its menu once the policy allows signals.
pub fn signal_acts(targets: Vec<ProcTarget>, sig: Option<Sig>) -> Vec<Act> {
    match sig {
        Some(sig) => vec![Act::Propose(Action::Signal { targets, sig })],
        None => vec![
            Act::Check(Action::Signal {
                targets: targets.clone(),
                sig: Sig::ALL[0],
            }),
            Act::Popup(Popup::SignalMenu {
                selected: 0,
                targets,
            }),
        ],
    }
}

/// `]` / `[` (`nice-by`), `:nice N`, or `n` (the prompt, whose value comes back as
/// `nice N`).
pub fn nice(data: &Data, owners: Owners, arg: Option<NiceArg>) -> Vec<Act> {
    match owners.checked(data) {
        Ok((targets, mut acts)) => {
            acts.extend(nice_acts(targets, arg));
            acts
        }
        Err(acts) => acts,
    }
}

/// The renice of `targets`, or the prompt for a value once the policy allows it.
pub fn nice_acts(targets: Vec<ProcTarget>, arg: Option<NiceArg>) -> Vec<Act> {
    match arg {
        Some(arg) => vec![Act::Propose(Action::Renice {
            targets,
            change: match arg {
                NiceArg::Set(n) => NiceChange::Set(n),
                NiceArg::By(d) => NiceChange::By(d),
            },
        })],
        None => vec![
            Act::Check(Action::Renice {
                targets,
                change: NiceChange::By(0),
            }),
            Act::Popup(Popup::Input {
                kind: InputKind::Nice,
                text: String::new(),
                previous: String::new(),
                error: None,
            }),
        ],
    }
}

/// `R`: a process restart, or its units' restart when systemd supervises them all.
pub fn restart(data: &Data, owners: Owners) -> Vec<Act> {
    let (targets, mut acts) = match owners.checked(data) {
        Ok(t) => t,
        Err(acts) => return acts,
    };
    match unit_restart_instead(&targets) {
        Some(a) => {
            acts.push(Act::info(
                "these processes belong to systemd services: restarting the units instead",
            ));
            acts.push(Act::Propose(a));
        }
        None => acts.push(Act::Propose(Action::Restart { targets })),
    }
    acts
}

/// Processes that systemd supervises are restarted through their units (a process
/// restart behind systemd's back would be undone or leave the unit confused).
/// `None`: not all targets belong to a service unit.
pub fn unit_restart_instead(targets: &[ProcTarget]) -> Option<Action> {
    let mut units: Vec<UnitTarget> = Vec::new();
    for t in targets {
        let u = t.unit.as_deref()?;
        // The user manager and login sessions are no service to restart.
        if !u.ends_with(".service") || u.starts_with("user@") {
            return None;
        }
        if !units.iter().any(|x| x.unit == u) {
            units.push(UnitTarget::new(u, None));
        }
    }
    (!units.is_empty()).then_some(Action::Unit {
        op: UnitOp::Restart,
        targets: units,
    })
}

/// What to tell an operator about a socket whose holder is not visible: without
/// privilege, another user's process; as root, a process of another PID namespace (a
/// container sharing the host's network).
pub fn unknown_owner_hint(operator_uid: u32) -> &'static str {
    if operator_uid == 0 {
        "? = no process visible here holds it (another PID namespace, e.g. a container)"
    } else {
        "? = holder not visible (another user's process): run qd with sudo to see and act on it"
    }
}
