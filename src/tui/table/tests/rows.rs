//! The rows a table shows: filter, sort, marks and selection by key, export.

use super::*;

#[test]
fn the_filter_matches_substrings_fuzzily_and_negates() {
    let ctx = items();
    let mut t = table(&ctx);
    t.set_filter(&ctx, "web");
    assert_eq!(shown(&t, &ctx), vec![2], "substring of the full text");
    t.set_filter(&ctx, "pstgr");
    assert_eq!(shown(&t, &ctx), vec![3], "fuzzy over the short text");
    t.set_filter(&ctx, "!o");
    assert_eq!(shown(&t, &ctx), vec![1, 4], "the others have an o");
    t.set_filter(&ctx, "n !nginx");
    assert_eq!(shown(&t, &ctx), vec![1, 3, 5]);
    t.set_filter(&ctx, "NGINX");
    assert!(shown(&t, &ctx).is_empty(), "smart case");
    t.set_filter(&ctx, "");
    assert_eq!(shown(&t, &ctx), vec![1, 2, 3, 4, 5]);
    assert_eq!(t.filter(), "");
}

#[test]
fn every_sortable_column_sorts_and_a_second_sort_inverts() {
    let ctx = items();
    let mut t = table(&ctx);
    let expect = |col: Col| -> Vec<u32> {
        match col {
            Col::Id => vec![1, 2, 3, 4, 5],
            Col::Name => vec![1, 2, 5, 3, 4],
            // Largest first; the tie (3 and 5 at 40%) by index, then inverted.
            Col::Cpu => vec![5, 3, 2, 4, 1],
            Col::Mem => vec![3, 5, 4, 2, 1],
            Col::Note => unreachable!(),
        }
    };
    for &col in Col::all().iter().filter(|c| c.sortable()) {
        // Start elsewhere so the first sort_by is a first sort on `col`.
        let other = if col == Col::Id { Col::Name } else { Col::Id };
        assert!(t.sort_by(&ctx, other));
        assert!(t.sort_by(&ctx, col));
        assert_eq!(t.sort().descending, col.descending(), "{col:?}");
        assert_eq!(shown(&t, &ctx), expect(col), "{col:?}");
        assert!(t.sort_by(&ctx, col), "again");
        let mut inverted = expect(col);
        inverted.reverse();
        assert_eq!(shown(&t, &ctx), inverted, "{col:?} inverted");
        t.invert(&ctx);
        assert_eq!(shown(&t, &ctx), expect(col), "{col:?} I");
    }
    assert!(!t.sort_by(&ctx, Col::Note), "an unsortable column");
    assert_eq!(t.sort().col, Some(Col::Mem), "left as it was");
}

#[test]
fn sort_steps_walk_the_sortable_columns_both_ways() {
    let ctx = items();
    let mut t = Table::new(Items::default(), None);
    t.rebuild(&ctx);
    t.invert(&ctx);
    assert_eq!(
        shown(&t, &ctx),
        vec![5, 4, 3, 2, 1],
        "the source's order, inverted"
    );
    t.sort_step(&ctx, 1);
    assert_eq!(t.sort().col, Some(Col::Id));
    t.sort_step(&ctx, -1);
    assert_eq!(
        t.sort().col,
        Some(Col::Mem),
        "wraps past the first, skips NOTE"
    );
    assert_eq!(shown(&t, &ctx), vec![3, 5, 4, 2, 1]);
    t.sort_step(&ctx, 1);
    assert_eq!(t.sort().col, Some(Col::Id), "and forward again");
}

#[test]
fn marks_and_selection_stay_on_their_keys_and_gone_rows_drop_their_marks() {
    let mut ctx = items();
    let mut t = table(&ctx);
    t.select(&ctx, 1); // nginx
    t.toggle_mark(&ctx); // marks 2, moves to 3
    t.toggle_mark(&ctx); // marks 3, moves to 4
    assert_eq!(t.selected(&ctx).map(|i| ctx[i].id), Some(4));
    assert_eq!(
        t.targets(&ctx)
            .iter()
            .map(|&i| ctx[i].id)
            .collect::<Vec<_>>(),
        vec![2, 3]
    );
    // A refresh: the items come in another order and nginx is gone.
    ctx.reverse();
    ctx.retain(|it| it.id != 2);
    t.rebuild(&ctx);
    assert_eq!(
        t.selected(&ctx).map(|i| ctx[i].id),
        Some(4),
        "selection by key"
    );
    assert_eq!(t.marked(), 1, "the mark of the gone row is dropped");
    assert_eq!(
        t.targets(&ctx)
            .iter()
            .map(|&i| ctx[i].id)
            .collect::<Vec<_>>(),
        vec![3]
    );
    // Sorted anew, the marks still name the same rows.
    t.sort_by(&ctx, Col::Mem);
    assert_eq!(t.selected(&ctx).map(|i| ctx[i].id), Some(4));
    assert!(t.is_marked(&ctx, ctx.iter().position(|i| i.id == 3).unwrap_or(99)));
    // Hidden by the filter: still marked, not a target, and the selection is not
    // taken instead (the operator marked something else).
    t.set_filter(&ctx, "redis");
    assert_eq!(t.marked(), 1);
    assert!(t.targets(&ctx).is_empty());
    t.set_filter(&ctx, "");
    assert_eq!(
        t.targets(&ctx)
            .iter()
            .map(|&i| ctx[i].id)
            .collect::<Vec<_>>(),
        vec![3]
    );
}

#[test]
fn a_range_marks_from_the_last_mark_to_the_selection() {
    let ctx = items();
    let mut t = table(&ctx);
    t.select(&ctx, 3); // redis
    t.toggle_mark(&ctx); // anchor: 4
    t.select(&ctx, 1);
    t.mark_range(&ctx);
    assert_eq!(
        t.targets(&ctx)
            .iter()
            .map(|&i| ctx[i].id)
            .collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    t.clear_marks();
    assert_eq!(t.marked(), 0);
    assert_eq!(
        t.targets(&ctx)
            .iter()
            .map(|&i| ctx[i].id)
            .collect::<Vec<_>>(),
        vec![2],
        "the selection"
    );
    // No anchor: the range is the selection alone.
    t.mark_range(&ctx);
    assert_eq!(t.marked(), 1);
}

#[test]
fn export_gives_what_is_shown_in_the_order_shown() {
    let ctx = items();
    let mut t = table(&ctx);
    t.set_filter(&ctx, "!init");
    t.sort_by(&ctx, Col::Mem);
    let (headers, rows, json) = t.export(&ctx, false);
    assert_eq!(headers, vec!["ID", "NAME", "CPU%", "MEM", "NOTE"]);
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        shown(&t, &ctx)
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(ids, vec!["3", "5", "4", "2"]);
    assert_eq!(
        rows[0],
        vec!["3", "postgres", "40.0", "900000", "db \"main\""]
    );
    assert_eq!(json.len(), 4);
    assert_eq!(json[0]["mem"], serde_json::json!(900000), "typed");
    assert_eq!(json[3]["name"], "nginx");
    // Marked only: those rows, still in view order.
    t.select(&ctx, 3);
    t.toggle_mark(&ctx);
    t.select(&ctx, 0);
    t.toggle_mark(&ctx);
    let (_, rows, json) = t.export(&ctx, true);
    assert_eq!(
        rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        vec!["3", "2"]
    );
    assert_eq!(json.len(), 2);
}

#[test]
fn pages_move_by_the_fitted_height() {
    let ctx: Vec<Item> = (0..50).map(|i| item(i, "n", 0.0, 0, "x")).collect();
    let mut t = table(&ctx);
    t.fit(10);
    t.page_down(&ctx);
    assert_eq!(t.state.selected, 10);
    t.page_down(&ctx);
    t.page_up(&ctx);
    t.up(&ctx);
    assert_eq!(t.state.selected, 9);
    assert_eq!(t.state.offset, 9);
    t.bottom(&ctx);
    assert_eq!((t.state.selected, t.state.offset), (49, 40));
    t.top(&ctx);
    assert_eq!(t.state.offset, 0);
}
