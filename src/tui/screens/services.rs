//! The services screen: one row per unit of the snapshot's services table (the sites'
//! services, or every service unit after `a`), one site's only while a site is in
//! focus. Its `[services]` keys act on the marked or selected units: the unit menu
//! with only the actions valid for their states, a unit's or a site's log, the
//! services' custom commands, the env file editor, a signal or nice value for their
//! main processes, and their restart (by systemd: `R` restarts the units). Every action is proposed (`Act::Propose`), never dispatched
//! here; menus are opened only when the policy allows the action their first item
//! stands for (`Act::Check`).

mod menus;
mod source;

pub use source::{ServiceSource, SvcCol};

use super::super::data::Data;
use super::super::msg::{Act, Effect};
use super::super::popup::Popup;
use super::super::table::Table;
use super::super::table::ops::TableOps;
use super::super::theme::Theme;
use super::Component;
use super::units;
use crate::actions::{Action, ProcTarget, Sig, UnitTarget};
use crate::config::Command;
use crate::config::command::NiceArg;
use crate::model::services::ServiceRow;
use crate::sources::unitwatch::WatchCtl;
use crate::systemd::jobs::UnitOp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub struct ServicesScreen {
    pub table: Table<ServiceSource>,
}

impl Default for ServicesScreen {
    fn default() -> Self {
        Self {
            // The config's order (sites, then their services) is the natural one.
            table: Table::new(ServiceSource, Some(SvcCol::Site)),
        }
    }
}

const READONLY: &str = "readonly: actions are refused in this session";

impl ServicesScreen {
    /// The marked rows shown, or the selected one.
    pub fn target_rows<'a>(&self, data: &'a Data) -> Vec<&'a ServiceRow> {
        let rows = source::rows(data);
        self.table
            .targets(data)
            .into_iter()
            .map(|i| &rows[i])
            .collect()
    }

    pub fn selected<'a>(&self, data: &'a Data) -> Option<&'a ServiceRow> {
        self.table.selected(data).map(|i| &source::rows(data)[i])
    }

    /// The marked or selected units as unit targets.
    pub fn unit_targets(&self, data: &Data) -> Vec<UnitTarget> {
        self.target_rows(data)
            .into_iter()
            .map(menus::unit_target)
            .collect()
    }

    /// The units of the rows on screen whose properties are not read yet, and how
    /// many rows are on screen (the unit watcher reads those first).
    pub fn unread_on_screen(&self, data: &Data) -> (Vec<String>, usize) {
        let rows = source::rows(data);
        let st = &self.table.state;
        let shown: Vec<&ServiceRow> = st
            .rows
            .iter()
            .skip(st.offset_for(st.height))
            .take(st.height)
            .filter_map(|r| rows.get(r.idx))
            .collect();
        let unread = shown
            .iter()
            .filter(|r| r.unit.props_pending)
            .map(|r| r.unit.unit.clone())
            .collect();
        (unread, shown.len())
    }

    /// Enter / `:unit`: the menu of valid actions for the marked or selected units.
    fn unit_menu(&self, data: &Data) -> Vec<Act> {
        if data.readonly {
            return vec![Act::warn(READONLY)];
        }
        let rows = self.target_rows(data);
        if rows.is_empty() {
            return vec![Act::info("nothing selected")];
        }
        let items = menus::valid_ops(&rows);
        let targets: Vec<UnitTarget> = rows.into_iter().map(menus::unit_target).collect();
        let mut acts = Vec::new();
        if let Some(op) = items.first() {
            acts.push(Act::Check(Action::Unit {
                op: *op,
                targets: targets.clone(),
            }));
        }
        acts.push(Act::Popup(Popup::UnitMenu {
            selected: 0,
            items,
            targets,
        }));
        acts
    }

    /// `:unit VERB`: straight to the confirmation.
    fn unit_action(&self, data: &Data, op: UnitOp) -> Vec<Act> {
        if data.readonly {
            return vec![Act::warn(READONLY)];
        }
        let targets = self.unit_targets(data);
        if targets.is_empty() {
            return vec![Act::info("nothing selected")];
        }
        vec![Act::Propose(Action::Unit { op, targets })]
    }

    /// `l`: the selected unit's log, following.
    fn unit_log(&self, data: &Data) -> Vec<Act> {
        match self.selected(data) {
            Some(r) => units::open_log(
                format!("log: {}", r.unit.unit),
                vec![(String::new(), r.unit.unit.clone())],
            ),
            None => vec![Act::info("nothing selected")],
        }
    }

    /// `a`: every service unit, or only the sites' ones.
    fn all_units(data: &Data) -> Vec<Act> {
        let all = data.snapshot.services.as_ref().is_some_and(|t| t.all_units);
        vec![
            Act::info(if all {
                "only the sites' units"
            } else {
                "every service unit"
            }),
            Act::Effect(Effect::Units(WatchCtl::AllUnits(!all))),
        ]
    }

    /// `e`: the selected service's env file in the editor. The policy decides first:
    /// a reveal or write of secrets it refuses is shown and recorded, and no editor
    /// runs.
    fn edit_env(&self, data: &Data) -> Vec<Act> {
        if data.readonly {
            return vec![Act::warn(READONLY)];
        }
        let Some(r) = self.selected(data) else {
            return vec![Act::info("nothing selected")];
        };
        if !data.env_files.contains_key(&r.unit.unit) {
            return vec![Act::info("this service has no env_file in the config")];
        }
        let Some(service) = menus::command_target(r) else {
            return vec![Act::info("env files belong to site services")];
        };
        vec![
            Act::Check(Action::RevealEnv {
                service: service.clone(),
            }),
            Act::Check(Action::WriteEnv {
                service: service.clone(),
                content: String::new(),
            }),
            Act::Effect(Effect::EditEnv(service)),
        ]
    }

    /// `c` / `:run [NAME]`: the commands the marked or selected services have in
    /// common; a named one goes straight to its confirmation.
    fn command_menu(&self, data: &Data, name: Option<&str>) -> Vec<Act> {
        if data.readonly {
            return vec![Act::warn(READONLY)];
        }
        let (targets, items) = menus::shared_commands(data, &self.target_rows(data));
        if targets.is_empty() {
            return vec![Act::info(
                "custom commands belong to site services: select one",
            )];
        }
        if items.is_empty() {
            return vec![Act::info(if targets.len() > 1 {
                "the marked services have no command in common"
            } else {
                "this service defines no commands ([[site.service.command]])"
            })];
        }
        let Some(n) = name else {
            return vec![Act::Popup(Popup::CommandMenu {
                selected: 0,
                items,
                targets,
            })];
        };
        match items.iter().find(|c| c.name == n) {
            Some(c) => vec![Act::Propose(Action::Command {
                command: c.name.clone(),
                targets,
            })],
            None => {
                let names: Vec<&str> = items.iter().map(|c| c.name.as_str()).collect();
                vec![Act::error(format!(
                    "no command `{n}` here (commands: {})",
                    names.join(", ")
                ))]
            }
        }
    }

    /// The main processes of the marked or selected services, as listed in this
    /// snapshot (so an action finds them changed if their pid was reused since),
    /// with a warning when some services have none to act on.
    fn main_procs(&self, data: &Data) -> Result<(Vec<ProcTarget>, Vec<Act>), Vec<Act>> {
        if data.readonly {
            return Err(vec![Act::warn(READONLY)]);
        }
        let rows = self.target_rows(data);
        if rows.is_empty() {
            return Err(vec![Act::info("nothing selected")]);
        }
        let mut procs: Vec<ProcTarget> = Vec::new();
        let (mut stopped, mut unseen) = (0, 0);
        if rows.iter().any(|r| r.unit.props_pending) {
            return Err(vec![Act::info(
                "the main processes are not read yet: try again in a moment",
            )]);
        }
        for r in &rows {
            if r.unit.main_pid == 0 {
                stopped += 1;
                continue;
            }
            match data.snapshot.find(r.unit.main_pid as i32) {
                Some(p) if procs.iter().any(|q| q.pid == p.pid) => {}
                Some(p) => procs.push(ProcTarget::from(p)),
                None => unseen += 1,
            }
        }
        if procs.is_empty() {
            return Err(vec![Act::info(if unseen > 0 {
                "the main process is not visible to qd (run it with sudo)"
            } else {
                "no main process: not running"
            })]);
        }
        let mut warn = Vec::new();
        if stopped + unseen > 0 {
            warn.push(Act::warn(format!(
                "{} service(s) without a visible main process are left out",
                stopped + unseen
            )));
        }
        Ok((procs, warn))
    }

    fn signal(&self, data: &Data, sig: Option<Sig>) -> Vec<Act> {
        match self.main_procs(data) {
            Ok((targets, mut acts)) => {
                acts.extend(super::owners::signal_acts(targets, sig));
                acts
            }
            Err(acts) => acts,
        }
    }

    fn nice(&self, data: &Data, arg: Option<&NiceArg>) -> Vec<Act> {
        match self.main_procs(data) {
            Ok((targets, mut acts)) => {
                acts.extend(super::owners::nice_acts(targets, arg.copied()));
                acts
            }
            Err(acts) => acts,
        }
    }

    /// The line shown instead of rows: not listed yet, systemd unreachable, no units.
    fn notice(&self, buf: &mut Buffer, area: Rect, data: &Data, th: &Theme) -> bool {
        let empty = if data.site_names.is_empty() {
            "no units listed (no sites in the config: `a` lists every service unit)"
        } else {
            "no units listed"
        };
        units::notice(buf, area, data, th, source::rows(data).is_empty(), empty)
    }
}

impl Component for ServicesScreen {
    fn run(&mut self, cmd: &Command, data: &Data) -> Option<Vec<Act>> {
        Some(match cmd {
            // `detail`: what Enter did here before the keymap had sections.
            Command::UnitAction(None) | Command::Detail => self.unit_menu(data),
            Command::UnitAction(Some(op)) => self.unit_action(data, *op),
            Command::UnitLog => self.unit_log(data),
            Command::SiteLogs => {
                let site = self.selected(data).and_then(|r| r.unit.site.clone());
                units::site_log(data, site.as_deref())
            }
            Command::ToggleAllUnits => Self::all_units(data),
            Command::EditEnv => self.edit_env(data),
            Command::RunCommand(name) => self.command_menu(data, name.as_deref()),
            Command::Signal(sig) => self.signal(data, *sig),
            Command::Nice(arg) => self.nice(data, arg.as_ref()),
            // A unit's processes are restarted by systemd, through the unit.
            Command::Restart => self.unit_action(data, UnitOp::Restart),
            _ => return None,
        })
    }

    fn rebuild(&mut self, data: &Data) {
        self.table.rebuild(data);
    }

    fn title(&self, data: &Data) -> String {
        match &data.site {
            Some(s) => format!("services of site {s}"),
            None => "services".into(),
        }
    }

    fn draw(&self, buf: &mut Buffer, area: Rect, data: &Data, theme: &Theme) {
        if self.notice(buf, area, data, theme) {
            return;
        }
        self.table.draw(buf, area, data, theme);
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("help", "help"),
            ("filter", "filter"),
            ("unit", "actions"),
            ("mark", "mark"),
            ("unit-log", "log"),
            ("site-logs", "site log"),
            ("all-units", "all units"),
            ("next-screen", "next"),
        ]
    }

    fn table(&self) -> Option<&dyn TableOps> {
        Some(&self.table)
    }

    fn table_mut(&mut self) -> Option<&mut dyn TableOps> {
        Some(&mut self.table)
    }
}
