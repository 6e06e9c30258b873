//! Entering and leaving the terminal's raw, alternate-screen mode. `restore` is safe
//! to call any number of times and from a panic hook; every exit path calls it:
//! quit, error, panic, SIGTERM, SIGHUP (the terminal may be gone: errors are ignored).

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Raw mode, alternate screen, mouse reporting.
fn enter_modes() -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)
}

pub fn enter() -> io::Result<Term> {
    enter_modes()?;
    let mut t = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    t.hide_cursor()?;
    t.clear()?;
    Ok(t)
}

/// Repaints everything on the next draw, without `Terminal::clear`: that one asks
/// the terminal for the cursor position through crossterm's event reader, which the
/// input thread holds while it waits for a key — a deadlock once input runs. So:
/// blank the screen ourselves and draw one blank frame, so ratatui's last frame
/// matches the blank screen and the next real frame writes every cell.
pub fn repaint(t: &mut Term) -> io::Result<()> {
    execute!(io::stdout(), Clear(ClearType::All))?;
    t.draw(|_| {})?;
    Ok(())
}

/// Back from a suspension: the same Terminal, modes re-entered, screen repainted.
pub fn resume(t: &mut Term) -> io::Result<()> {
    enter_modes()?;
    t.hide_cursor()?;
    repaint(t)
}

/// Leaves raw mode and the alternate screen, shows the cursor. Idempotent.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal before the default panic message is printed, so the
/// message is readable and the shell is usable.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Restores on drop: covers early returns and errors.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}
