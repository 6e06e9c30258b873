//! Drawing a table and clicking on it: narrow hiding, only what shows is asked for,
//! the selection, marks and tree drawn, stale rows never indexed.

use super::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

#[test]
fn a_narrow_terminal_hides_columns_by_priority() {
    let ctx = items();
    let t = table(&ctx);
    let theme = Theme::builtin_dark();
    let draw = |w: u16| {
        let mut buf = Buffer::empty(Rect::new(0, 0, w, 3));
        let area = buf.area;
        t.draw(&mut buf, area, &ctx, &theme);
        lines(&buf)
    };
    // Gutter 2, then 4+8+5+6 and a gap after each column (28), and 8 for NOTE.
    let wide = draw(38);
    assert_eq!(wide[0], "   ID▲ NAME      CPU%    MEM NOTE");
    assert_eq!(wide[1], "     1 init       0.1   9000 the first");
    let narrow = draw(37);
    assert!(
        narrow[0].contains("CPU%") && !narrow[0].contains("MEM"),
        "{narrow:?}"
    );
    let narrower = draw(28);
    assert_eq!(narrower[0], "   ID▲ NAME     NOTE");
    assert_eq!(narrower[1], "     1 init     the first");
}

#[test]
fn only_the_visible_rows_and_columns_are_asked_for_cells() {
    let ctx: Vec<Item> = (0..10_000)
        .map(|i| item(i, "n", (i % 97) as f32, u64::from(i) * 7, "x"))
        .collect();
    let mut t = Table::new(Items::default(), Some(Col::Cpu));
    t.rebuild(&ctx);
    assert_eq!(t.source.cells.get(), 0, "a rebuild draws nothing");
    let theme = Theme::builtin_dark();
    let mut buf = Buffer::empty(Rect::new(0, 0, 80, 11));
    let area = buf.area;
    t.draw(&mut buf, area, &ctx, &theme);
    assert_eq!(t.source.cells.get(), 10 * 5, "10 rows of 5 columns");
    // Narrow: MEM and CPU hidden, so 3 cells a row.
    t.source.cells.set(0);
    let mut buf = Buffer::empty(Rect::new(0, 0, 24, 11));
    let area = buf.area;
    t.draw(&mut buf, area, &ctx, &theme);
    assert_eq!(t.source.cells.get(), 10 * 3);
}

#[test]
fn drawing_marks_the_selection_the_marks_and_the_tree() {
    let mut ctx = items();
    ctx[3].parent = Some(2); // redis under nginx
    let mut t = Table::new(
        Items {
            tree: true,
            ..Items::default()
        },
        Some(Col::Id),
    );
    t.rebuild(&ctx);
    assert_eq!(shown(&t, &ctx), vec![1, 2, 4, 3, 5]);
    t.select(&ctx, 2);
    t.toggle_mark(&ctx); // marks redis, selects postgres
    let theme = Theme::builtin_dark();
    let mut buf = Buffer::empty(Rect::new(0, 0, 40, 6));
    let area = buf.area;
    t.draw(&mut buf, area, &ctx, &theme);
    let l = lines(&buf);
    assert_eq!(l[3], "*    4 redis      3.0  70000 └ cache");
    assert!(l[4].starts_with("     3 postgres"));
    assert_eq!(
        buf[(10, 4)].style().bg,
        theme.selection.bg,
        "the selected row"
    );
    assert_eq!(buf[(0, 3)].style().fg, theme.marked.fg, "the mark");
    // Sideways: the last column scrolls, the prefix with it.
    t.state.scroll_sideways(2);
    let mut buf = Buffer::empty(Rect::new(0, 0, 40, 6));
    let area = buf.area;
    t.draw(&mut buf, area, &ctx, &theme);
    assert_eq!(lines(&buf)[3], "*    4 redis      3.0  70000 cache");
}

#[test]
fn clicks_sort_on_headers_and_select_rows() {
    let ctx: Vec<Item> = (0..50)
        .map(|i| item(i, "n", 0.0, u64::from(i), "x"))
        .collect();
    let mut t = Table::new(Items::default(), Some(Col::Id));
    t.rebuild(&ctx);
    let area = Rect::new(5, 2, 60, 11);
    // The header: MEM sits at gutter 2 + 4+1 + 8+1 + 5+1 = 22 from the left.
    assert_eq!(t.click(&ctx, area, 5 + 22, 2), Click::Header(Col::Mem));
    assert_eq!(shown(&t, &ctx)[0], 49, "largest first");
    assert_eq!(t.click(&ctx, area, 5 + 22, 2), Click::Header(Col::Mem));
    assert_eq!(shown(&t, &ctx)[0], 0, "a second click inverts");
    assert_eq!(
        t.click(&ctx, area, 5 + 40, 2),
        Click::Nothing,
        "NOTE does not sort"
    );
    assert_eq!(t.click(&ctx, area, 5, 2), Click::Nothing, "the gutter");
    // Rows: the third row drawn.
    assert_eq!(t.click(&ctx, area, 10, 5), Click::Row(2));
    assert_eq!(t.selected(&ctx).map(|i| ctx[i].id), Some(2));
    t.bottom(&ctx);
    assert_eq!(t.hit(area, 10, 3), Click::Row(40), "scrolled to the end");
    assert_eq!(t.hit(area, 10, 13), Click::Nothing, "below the table");
}

#[test]
fn a_context_that_shrank_before_the_rebuild_is_never_indexed_past_its_end() {
    let mut ctx = items();
    let mut t = table(&ctx);
    t.bottom(&ctx);
    t.toggle_mark(&ctx);
    ctx.truncate(2);
    // Drawn before the rebuild: the rows past the end are skipped.
    let theme = Theme::builtin_dark();
    let mut buf = Buffer::empty(Rect::new(0, 0, 40, 8));
    let area = buf.area;
    t.draw(&mut buf, area, &ctx, &theme);
    assert_eq!(lines(&buf)[3], "");
    assert_eq!(t.selected(&ctx), None, "the selection is past the end");
    assert!(t.export(&ctx, false).1.len() <= 2);
    // Any key on it rebuilds first.
    t.mark_range(&ctx);
    assert_eq!(shown(&t, &ctx), vec![1, 2]);
    assert_eq!(
        t.marked(),
        1,
        "node's mark is gone, the range marked the selection"
    );
    t.toggle_mark(&ctx);
    t.up(&ctx);
    assert_eq!(t.selected(&ctx).map(|i| ctx[i].id), Some(1));
}
