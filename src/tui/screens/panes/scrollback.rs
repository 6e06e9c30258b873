//! A pane's scrollback, read from its emulator: scrolling (or moving a selection's
//! cursor), searching older lines, and copying the selected lines or the screen.
//! The emulator is shared with the pane's session, so each look takes its lock,
//! sets the scrollback offset it needs and puts it back to the live screen.

use super::Pane;

impl Pane {
    /// The remote asked for application cursor keys (`ESC O A` for up).
    pub fn application_cursor(&self) -> bool {
        self.shared
            .screen
            .lock()
            .map(|s| s.screen().application_cursor())
            .unwrap_or(false)
    }

    /// Back into the scrollback (`by` > 0) or towards the live screen; with a
    /// selection, moves its cursor a row instead (within the `page` rows shown).
    pub fn scroll_by(&mut self, by: isize, page: u16) {
        if let Some((a, c)) = self.select {
            let c = (c as isize - by.signum()).clamp(0, page.saturating_sub(1) as isize) as u16;
            self.select = Some((a, c));
            return;
        }
        let max = self
            .shared
            .screen
            .lock()
            .map(|mut s| {
                s.screen_mut().set_scrollback(usize::MAX);
                let m = s.screen().scrollback();
                s.screen_mut().set_scrollback(0);
                m
            })
            .unwrap_or(0);
        self.scroll = (self.scroll as isize)
            .saturating_add(by)
            .clamp(0, max as isize) as usize;
    }

    /// Scrolls back to the next older line containing the search text; `Err` says
    /// it is not there.
    pub fn find_next(&mut self) -> Result<(), String> {
        let Some(needle) = self.search.clone().filter(|s| !s.is_empty()) else {
            return Ok(());
        };
        let Ok(mut parser) = self.shared.screen.lock() else {
            return Ok(());
        };
        let cols = parser.screen().size().1;
        let mut found = None;
        let mut off = self.scroll + 1;
        loop {
            parser.screen_mut().set_scrollback(off);
            if parser.screen().scrollback() < off {
                break;
            }
            let top = parser.screen().rows(0, cols).next().unwrap_or_default();
            if top.contains(&needle) {
                found = Some(off);
                break;
            }
            off += 1;
        }
        parser.screen_mut().set_scrollback(0);
        drop(parser);
        match found {
            Some(o) => {
                self.scroll = o;
                Ok(())
            }
            None => Err(format!("`{needle}` not found above")),
        }
    }

    /// The selected lines (or the visible screen) as text, trailing blanks trimmed,
    /// and how many lines; the selection ends.
    pub fn copy(&mut self) -> (usize, String) {
        let Ok(mut s) = self.shared.screen.lock() else {
            return (0, String::new());
        };
        s.screen_mut().set_scrollback(self.scroll);
        let cols = s.screen().size().1;
        let lines: Vec<String> = s.screen().rows(0, cols).collect();
        s.screen_mut().set_scrollback(0);
        drop(s);
        let last = lines.len().saturating_sub(1);
        let (from, to) = match self.select.take() {
            Some((a, c)) => (a.min(c) as usize, (a.max(c) as usize).min(last)),
            None => (0, last),
        };
        let text = lines
            .get(from..=to)
            .unwrap_or_default()
            .iter()
            .map(|l| l.trim_end())
            .collect::<Vec<_>>()
            .join("\n");
        (to.saturating_sub(from) + 1, text)
    }
}
