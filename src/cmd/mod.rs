//! One file per subcommand.

pub mod completions;
pub mod init;
pub mod rules;
pub mod scan;
pub mod schema;

/// How a command ended, mapped to the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0.
    Clean,
    /// 1: findings at or above --fail-on.
    Findings,
    /// 3: a source was read only partially.
    Partial,
}

impl Outcome {
    /// The exit code.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Partial => 3,
        }
    }
}
