//! Parent/child ordering for the process table's tree (`ProcSource::arrange`): each
//! process under its parent, siblings in the table's order, with the connector
//! prefix (`├─`, `└─`) the table draws before the command.

use crate::model::{ProcKey, Process};
use std::collections::{HashMap, HashSet};

pub struct TreeRow {
    pub idx: usize,
    pub prefix: String,
    pub has_children: bool,
}

/// `order` holds indices into `procs` in sort order (already filtered); a process whose
/// parent is not among them is a root.
pub fn build(procs: &[Process], order: &[usize], collapsed: &HashSet<ProcKey>) -> Vec<TreeRow> {
    let present: HashMap<i32, usize> = order.iter().map(|&i| (procs[i].pid, i)).collect();
    let mut children: HashMap<i32, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for &i in order {
        let p = &procs[i];
        if p.ppid != p.pid && present.contains_key(&p.ppid) {
            children.entry(p.ppid).or_default().push(i);
        } else {
            roots.push(i);
        }
    }
    let mut out = Vec::with_capacity(order.len());
    // Iterative DFS: deep trees must not overflow the stack.
    let mut stack: Vec<(usize, String, bool, bool)> = roots
        .iter()
        .rev()
        .enumerate()
        .map(|(n, &i)| (i, String::new(), n == 0, true))
        .collect();
    let mut seen = HashSet::new();
    while let Some((i, lead, last, root)) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        let p = &procs[i];
        let kids = children.get(&p.pid);
        let prefix = if root {
            String::new()
        } else {
            format!("{lead}{}", if last { "└─" } else { "├─" })
        };
        out.push(TreeRow {
            idx: i,
            prefix,
            has_children: kids.is_some_and(|k| !k.is_empty()),
        });
        if let Some(kids) = kids {
            if collapsed.contains(&p.key()) {
                continue;
            }
            let child_lead = if root {
                String::new()
            } else {
                format!("{lead}{}", if last { "  " } else { "│ " })
            };
            for (n, &k) in kids.iter().rev().enumerate() {
                stack.push((k, child_lead.clone(), n == 0, false));
            }
        }
    }
    out
}
