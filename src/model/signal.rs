//! The signals an operator can send, by name.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Sig {
    Term,
    Kill,
    Int,
    Hup,
    Quit,
    Stop,
    Cont,
    Usr1,
    Usr2,
}

impl Sig {
    /// In the order the signal menu lists them: the gentle default first.
    pub const ALL: [Sig; 9] = [
        Sig::Term,
        Sig::Kill,
        Sig::Int,
        Sig::Hup,
        Sig::Quit,
        Sig::Stop,
        Sig::Cont,
        Sig::Usr1,
        Sig::Usr2,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Sig::Term => "TERM",
            Sig::Kill => "KILL",
            Sig::Int => "INT",
            Sig::Hup => "HUP",
            Sig::Quit => "QUIT",
            Sig::Stop => "STOP",
            Sig::Cont => "CONT",
            Sig::Usr1 => "USR1",
            Sig::Usr2 => "USR2",
        }
    }

    pub fn number(self) -> i32 {
        match self {
            Sig::Term => libc::SIGTERM,
            Sig::Kill => libc::SIGKILL,
            Sig::Int => libc::SIGINT,
            Sig::Hup => libc::SIGHUP,
            Sig::Quit => libc::SIGQUIT,
            Sig::Stop => libc::SIGSTOP,
            Sig::Cont => libc::SIGCONT,
            Sig::Usr1 => libc::SIGUSR1,
            Sig::Usr2 => libc::SIGUSR2,
        }
    }

    pub fn to_rustix(self) -> rustix::process::Signal {
        use rustix::process::Signal;
        match self {
            Sig::Term => Signal::TERM,
            Sig::Kill => Signal::KILL,
            Sig::Int => Signal::INT,
            Sig::Hup => Signal::HUP,
            Sig::Quit => Signal::QUIT,
            Sig::Stop => Signal::STOP,
            Sig::Cont => Signal::CONT,
            Sig::Usr1 => Signal::USR1,
            Sig::Usr2 => Signal::USR2,
        }
    }

    /// Accepts `TERM`, `term`, `SIGTERM` and the number (`15`).
    pub fn parse(s: &str) -> Option<Sig> {
        let up = s.trim().to_ascii_uppercase();
        let name = up.strip_prefix("SIG").unwrap_or(&up);
        Sig::ALL
            .into_iter()
            .find(|g| g.name() == name || name.parse::<i32>().ok() == Some(g.number()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_names_and_numbers() {
        assert_eq!(Sig::parse("term"), Some(Sig::Term));
        assert_eq!(Sig::parse("SIGKILL"), Some(Sig::Kill));
        assert_eq!(Sig::parse("9"), Some(Sig::Kill));
        assert_eq!(Sig::parse("WINCH"), None);
    }
}
