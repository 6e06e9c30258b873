//! Semantic styles for every view, built from a validated `ThemeSpec`. Views ask for
//! `theme.danger`, never for a colour, so a theme file restyles everything.
//! `NO_COLOR` keeps attributes (bold, reverse) and drops every colour.

use crate::config::theme::{Color as C, StyleSpec, ThemeSpec};
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub header: Style,
    pub accent: Style,
    pub table_header: Style,
    pub sorted_column: Style,
    pub selection: Style,
    pub marked: Style,
    pub basename: Style,
    pub ok: Style,
    pub warn: Style,
    pub danger: Style,
    pub border: Style,
    pub dialog: Style,
    pub button: Style,
    pub button_focus: Style,
    pub status: Style,
    pub readonly: Style,
}

fn color(s: &Option<String>) -> Option<Color> {
    let c = C::parse(s.as_deref()?).ok()?;
    Some(match c {
        C::Reset => Color::Reset,
        C::Ansi(i) => [
            Color::Black,
            Color::Red,
            Color::Green,
            Color::Yellow,
            Color::Blue,
            Color::Magenta,
            Color::Cyan,
            Color::Gray,
            Color::DarkGray,
            Color::LightRed,
            Color::LightGreen,
            Color::LightYellow,
            Color::LightBlue,
            Color::LightMagenta,
            Color::LightCyan,
            Color::White,
        ][i as usize % 16],
        C::Indexed(i) => Color::Indexed(i),
        C::Rgb(r, g, b) => Color::Rgb(r, g, b),
    })
}

fn style(s: &StyleSpec, no_color: bool) -> Style {
    let mut st = Style::default();
    if !no_color {
        if let Some(c) = color(&s.fg) {
            st = st.fg(c);
        }
        if let Some(c) = color(&s.bg) {
            st = st.bg(c);
        }
    }
    let mut m = Modifier::empty();
    for (on, bit) in [
        (s.bold, Modifier::BOLD),
        (s.italic, Modifier::ITALIC),
        (s.underline, Modifier::UNDERLINED),
        (s.reverse, Modifier::REVERSED),
    ] {
        if on {
            m |= bit;
        }
    }
    // Without colours, the selection and buttons must still stand out.
    if no_color && s.bg.is_some() && !s.reverse {
        m |= Modifier::REVERSED;
    }
    st.add_modifier(m)
}

impl Theme {
    pub fn from_spec(name: &str, s: &ThemeSpec, no_color: bool) -> Self {
        let f = |x: &StyleSpec| style(x, no_color);
        Self {
            name: name.to_string(),
            text: f(&s.text),
            muted: f(&s.muted),
            header: f(&s.header),
            accent: f(&s.accent),
            table_header: f(&s.table_header),
            sorted_column: f(&s.sorted_column),
            selection: f(&s.selection),
            marked: f(&s.marked),
            basename: f(&s.basename),
            ok: f(&s.ok),
            warn: f(&s.warn),
            danger: f(&s.danger),
            border: f(&s.border),
            dialog: f(&s.dialog),
            button: f(&s.button),
            button_focus: f(&s.button_focus),
            status: f(&s.status),
            readonly: f(&s.readonly),
        }
    }

    /// Loads a theme by name; `NO_COLOR` (set and non-empty) disables colours.
    pub fn load(name: &str) -> Result<Self, String> {
        let spec = ThemeSpec::load(name).map_err(|e| e.to_string())?;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ok(Self::from_spec(name, &spec, no_color))
    }

    /// The default theme, for tests and as the last resort.
    pub fn builtin_dark() -> Self {
        let text = crate::config::theme::BUILTIN[0].1;
        let spec: ThemeSpec = toml::from_str(text).unwrap_or_default();
        Self::from_spec("dark", &spec, false)
    }
}
