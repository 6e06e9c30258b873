//! The house's rules, read from the source: the core never imports the TUI or the CLI
//! (nor ratatui/crossterm), and inside `src/tui/` no import circle is larger than a
//! screen and its popups. Module references (`use`, paths in code) are collected per
//! file; a circle is a strongly connected component of that graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every .rs file under src, by module path (`tui::render::fleet`).
fn modules() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&root).unwrap_or(&f).with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|l| l == "mod") {
            parts.pop();
        }
        if parts == ["lib"] || parts == ["main"] {
            continue;
        }
        out.insert(parts.join("::"), f);
    }
    out
}

/// The module paths a file refers to: `crate::a::b`, `super::c` (resolved), and the
/// names inside `{...}` groups after them.
fn references(module: &str, text: &str, is_mod_rs: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    // The module a `super::` in this file means.
    let here: Vec<&str> = module.split("::").collect();
    let parent: Vec<&str> = if is_mod_rs {
        here.clone()
    } else {
        here[..here.len().saturating_sub(1)].to_vec()
    };
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        for (prefix, base) in [("crate::", Vec::new()), ("super::", parent.clone())] {
            let mut rest = line;
            while let Some(i) = rest.find(prefix) {
                // `some_crate::` or `foo_super::` are not ours.
                let before = rest[..i].chars().last();
                let tail = &rest[i + prefix.len()..];
                rest = tail;
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let mut base = base.clone();
                let mut t = tail;
                // `super::super::x`
                while let Some(r) = t.strip_prefix("super::") {
                    base.pop();
                    t = r;
                }
                collect(&base, t, &mut out);
            }
        }
    }
    out
}

/// Adds `base::path` for a path text like `a::b::C`, `a::{b, c::d}`.
fn collect(base: &[&str], t: &str, out: &mut BTreeSet<String>) {
    let mut segs: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    let mut rest = t;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut end = group.len();
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        end = i;
                        break;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            let inner = &group[..end];
            let base: Vec<&str> = segs.iter().map(String::as_str).collect();
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        collect(&base, inner[start..i].trim(), out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            collect(&base, inner[start..].trim(), out);
            return;
        }
        let seg: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if seg.is_empty() {
            break;
        }
        segs.push(seg.clone());
        rest = &rest[seg.len()..];
        match rest.strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    if !segs.is_empty() {
        out.insert(segs.join("::"));
    }
}

/// The longest module that `path` is in, if it is one of ours.
fn owner<'a>(mods: &'a BTreeMap<String, PathBuf>, path: &str) -> Option<&'a str> {
    let mut p = path;
    loop {
        if let Some((k, _)) = mods.get_key_value(p) {
            return Some(k);
        }
        p = &p[..p.rfind("::")?];
    }
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let mut g = BTreeMap::new();
    for (m, f) in &mods {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let is_mod = f.file_name().is_some_and(|n| n == "mod.rs");
        let refs = references(m, &text, is_mod);
        let edges: BTreeSet<String> = refs
            .iter()
            .filter_map(|r| owner(&mods, r))
            .filter(|o| *o != m)
            .map(str::to_string)
            .collect();
        g.insert(m.clone(), edges);
    }
    g
}

/// Strongly connected components with more than one module (Tarjan).
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        if let Some(es) = t.g.get(v) {
            for w in es {
                let w = w.as_str();
                if !t.index.contains_key(w) {
                    visit(t, w);
                    let lw = t.low[w];
                    let lv = t.low[v];
                    t.low.insert(v, lv.min(lw));
                } else if t.on.contains(w) {
                    let iw = t.index[w];
                    let lv = t.low[v];
                    t.low.insert(v, lv.min(iw));
                }
            }
        }
        if t.low[v] == t.index[v] {
            let mut c = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                c.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if c.len() > 1 {
                c.sort();
                t.out.push(c);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

const CORE: [&str; 8] = [
    "model", "sources", "actions", "systemd", "ssh", "sys", "audit", "config",
];

#[test]
fn the_core_imports_nothing_of_the_tui_the_cli_or_the_terminal() {
    let mods = modules();
    let g = graph();
    let mut bad = Vec::new();
    for (m, f) in &mods {
        let top = m.split("::").next().unwrap_or("");
        if !CORE.contains(&top) {
            continue;
        }
        for e in &g[m] {
            if e.starts_with("tui") || e.starts_with("cli") {
                bad.push(format!("{m} -> {e}"));
            }
        }
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for lib in ["ratatui", "crossterm"] {
            if text.contains(&format!("{lib}::")) {
                bad.push(format!("{m} uses {lib}"));
            }
        }
    }
    assert!(bad.is_empty(), "the core reaches up: {bad:#?}");
}

#[test]
fn the_scanner_sees_a_known_circle() {
    // The scanner itself: two modules naming each other form one circle.
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    g.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(circles(&g), vec![vec!["a".to_string(), "b".to_string()]]);
    let refs = references(
        "tui::screens::hosts",
        "use super::super::app::{App, Level};\nuse crate::tui::{msg::Effect, table::{Table, draw}};",
        false,
    );
    assert!(
        refs.contains("tui::app::App") && refs.contains("tui::table::draw"),
        "{refs:?}"
    );
}

#[test]
fn no_import_circle_in_the_tui_is_larger_than_a_screen_and_its_popups() {
    let g: BTreeMap<String, BTreeSet<String>> = graph()
        .into_iter()
        .filter(|(m, _)| m.starts_with("tui"))
        .collect();
    // A circle may only join one screen's own files (`screens::jobs` and
    // `screens::jobs::sources`), never two screens, a screen and App, or the glue.
    let screen_of = |m: &str| -> Option<String> {
        let rest = m.strip_prefix("tui::screens::")?;
        Some(rest.split("::").next().unwrap_or(rest).to_string())
    };
    let bad: Vec<Vec<String>> = circles(&g)
        .into_iter()
        .filter(|c| {
            let first = screen_of(&c[0]);
            first.is_none() || c.iter().any(|m| screen_of(m) != first)
        })
        .collect();
    assert!(bad.is_empty(), "import circles in src/tui: {bad:#?}");
}

#[test]
fn screens_popups_and_the_table_never_reach_the_app() {
    // They read Data and return Acts; App, run and update are the only places that
    // change the App.
    let g = graph();
    let mut bad = Vec::new();
    for (m, es) in &g {
        let ours = ["tui::screens", "tui::popups", "tui::table"]
            .iter()
            .any(|p| m.starts_with(p));
        if !ours {
            continue;
        }
        for e in es {
            if [
                "tui::app",
                "tui::run",
                "tui::update",
                "tui::commands",
                "tui::propose",
            ]
            .contains(&e.as_str())
            {
                bad.push(format!("{m} -> {e}"));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}
