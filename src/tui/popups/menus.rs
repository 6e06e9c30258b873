//! The menus: the signal menu (F9/k), the user filter (u), a unit's actions valid for
//! its state (Enter in services, with `kill …` opening the signal choice), and the
//! custom commands the marked services share (c). Choosing proposes the action: the
//! policy and the action's own risk decide what comes next.

use super::{Ctx, Outcome, close, is_close, keep, menu_move, menu_pick};
use crate::actions::{Action, Sig};
use crate::config::Command;
use crate::systemd::jobs::UnitOp;
use crate::tui::msg::Act;
use crate::tui::popup::Popup;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

pub fn on_key(p: Popup, k: &KeyEvent, _cx: &Ctx) -> Outcome {
    if is_close(k) || k.code == KeyCode::Char('q') {
        return close(Vec::new());
    }
    let code = k.code;
    match p {
        Popup::SignalMenu {
            mut selected,
            targets,
        } => {
            if let Some(i) = menu_pick(selected, Sig::ALL.len(), code) {
                let sig = Sig::ALL[i];
                return close(vec![Act::Propose(Action::Signal { targets, sig })]);
            }
            menu_move(&mut selected, Sig::ALL.len(), code);
            keep(Popup::SignalMenu { selected, targets })
        }
        Popup::UserMenu {
            items,
            mut selected,
        } => {
            if code == KeyCode::Enter {
                // The first entry is "(all users)": it clears the filter.
                let user = match selected {
                    0 => String::new(),
                    i => items.get(i).map(|(n, _)| n.clone()).unwrap_or_default(),
                };
                return close(vec![Act::Run(Command::FilterUser(Some(user)))]);
            }
            menu_move(&mut selected, items.len(), code);
            keep(Popup::UserMenu { items, selected })
        }
        Popup::UnitMenu {
            mut selected,
            items,
            targets,
        } => {
            if let Some(i) = menu_pick(selected, items.len(), code) {
                return match items[i] {
                    // The first menu's `kill …` opens the choice of signal.
                    UnitOp::Kill(0, _) => keep(Popup::UnitMenu {
                        selected: 0,
                        items: Sig::ALL
                            .iter()
                            .map(|s| crate::actions::units::kill_op(*s))
                            .collect(),
                        targets,
                    }),
                    op => close(vec![Act::Propose(Action::Unit { op, targets })]),
                };
            }
            menu_move(&mut selected, items.len(), code);
            keep(Popup::UnitMenu {
                selected,
                items,
                targets,
            })
        }
        Popup::CommandMenu {
            mut selected,
            items,
            targets,
        } => {
            if let Some(i) = menu_pick(selected, items.len(), code) {
                let command = items[i].name.clone();
                return close(vec![Act::Propose(Action::Command { command, targets })]);
            }
            menu_move(&mut selected, items.len(), code);
            keep(Popup::CommandMenu {
                selected,
                items,
                targets,
            })
        }
        other => keep(other),
    }
}
