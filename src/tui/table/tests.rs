//! The table over a small source of its own (a Vec of structs): what every list gets
//! from it. This file is the source; `rows` tests filter, sort, marks by key and
//! export, `draw` tests narrow hiding, drawing only what shows, and the mouse.

mod draw;
mod rows;

use super::*;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use std::cell::Cell;

#[derive(Debug, Clone)]
struct Item {
    id: u32,
    name: &'static str,
    cpu: f32,
    mem: u64,
    note: &'static str,
    parent: Option<u32>,
}

fn item(id: u32, name: &'static str, cpu: f32, mem: u64, note: &'static str) -> Item {
    Item {
        id,
        name,
        cpu,
        mem,
        note,
        parent: None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Id,
    Name,
    Cpu,
    Mem,
    Note,
}

impl Column for Col {
    fn all() -> &'static [Col] {
        &[Col::Id, Col::Name, Col::Cpu, Col::Mem, Col::Note]
    }
    fn title(self) -> &'static str {
        match self {
            Col::Id => "ID",
            Col::Name => "NAME",
            Col::Cpu => "CPU%",
            Col::Mem => "MEM",
            Col::Note => "NOTE",
        }
    }
    fn width(self) -> u16 {
        match self {
            Col::Id => 4,
            Col::Name => 8,
            Col::Cpu => 5,
            Col::Mem => 6,
            Col::Note => 0,
        }
    }
    fn right(self) -> bool {
        matches!(self, Col::Id | Col::Cpu | Col::Mem)
    }
    fn priority(self) -> u8 {
        match self {
            Col::Cpu => 1,
            Col::Mem => 2,
            _ => 0,
        }
    }
    fn sortable(self) -> bool {
        self != Col::Note
    }
    fn descending(self) -> bool {
        matches!(self, Col::Cpu | Col::Mem)
    }
    fn name(self) -> &'static str {
        match self {
            Col::Id => "id",
            Col::Name => "name",
            Col::Cpu => "cpu",
            Col::Mem => "mem",
            Col::Note => "note",
        }
    }
}

/// Counts the cells it is asked for; nests children under parents when `tree`.
#[derive(Default)]
struct Items {
    cells: Cell<usize>,
    tree: bool,
}

impl Source for Items {
    type Ctx = Vec<Item>;
    type Key = u32;
    type Col = Col;
    const NAME: &'static str = "items";

    fn len(&self, ctx: &Vec<Item>) -> usize {
        ctx.len()
    }
    fn key(&self, ctx: &Vec<Item>, i: usize) -> u32 {
        ctx[i].id
    }
    fn text(&self, ctx: &Vec<Item>, i: usize, col: Col) -> String {
        let it = &ctx[i];
        match col {
            Col::Id => it.id.to_string(),
            Col::Name => it.name.to_string(),
            Col::Cpu => format!("{:.1}", it.cpu),
            Col::Mem => it.mem.to_string(),
            Col::Note => it.note.to_string(),
        }
    }
    fn cell(&self, ctx: &Vec<Item>, i: usize, col: Col, theme: &Theme) -> Line<'static> {
        self.cells.set(self.cells.get() + 1);
        Line::styled(self.text(ctx, i, col), theme.text)
    }
    fn cmp(&self, ctx: &Vec<Item>, a: usize, b: usize, col: Col) -> Ordering {
        let (a, b) = (&ctx[a], &ctx[b]);
        match col {
            Col::Id => a.id.cmp(&b.id),
            Col::Name => a.name.cmp(b.name),
            Col::Cpu => a.cpu.total_cmp(&b.cpu),
            Col::Mem => a.mem.cmp(&b.mem),
            Col::Note => Ordering::Equal,
        }
    }
    fn filter_text(&self, ctx: &Vec<Item>, i: usize, full: &mut String, short: &mut String) {
        let it = &ctx[i];
        short.push_str(it.name);
        full.push_str(&format!("{} {} {}", it.id, it.name, it.note));
    }
    fn json(&self, ctx: &Vec<Item>, i: usize) -> serde_json::Value {
        let it = &ctx[i];
        serde_json::json!({ "id": it.id, "name": it.name, "mem": it.mem })
    }
    fn arrange(&self, ctx: &Vec<Item>, order: Vec<usize>, _sort: Sort<Col>) -> Vec<Row> {
        if !self.tree {
            return order.into_iter().map(Row::plain).collect();
        }
        // One level: each root in order, then its children in order.
        let mut rows = Vec::new();
        for &r in order.iter().filter(|&&i| ctx[i].parent.is_none()) {
            rows.push(Row {
                has_children: order.iter().any(|&c| ctx[c].parent == Some(ctx[r].id)),
                ..Row::plain(r)
            });
            for &c in order.iter().filter(|&&c| ctx[c].parent == Some(ctx[r].id)) {
                rows.push(Row {
                    prefix: "└ ".into(),
                    ..Row::plain(c)
                });
            }
        }
        rows
    }
}

fn items() -> Vec<Item> {
    vec![
        item(1, "init", 0.1, 9000, "the first"),
        item(2, "nginx", 12.5, 50000, "web, front"),
        item(3, "postgres", 40.0, 900000, "db \"main\""),
        item(4, "redis", 3.0, 70000, "cache"),
        item(5, "node", 40.0, 120000, "=HYPERLINK(x)"),
    ]
}

fn table(ctx: &Vec<Item>) -> Table<Items> {
    let mut t = Table::new(Items::default(), Some(Col::Id));
    t.rebuild(ctx);
    t
}

fn shown(t: &Table<Items>, ctx: &[Item]) -> Vec<u32> {
    t.state.rows.iter().map(|r| ctx[r.idx].id).collect()
}

fn lines(buf: &Buffer) -> Vec<String> {
    let a = buf.area;
    (a.y..a.y + a.height)
        .map(|y| {
            (a.x..a.x + a.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}
