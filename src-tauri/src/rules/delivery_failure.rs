//! Why a delivery did not work, as the window and the history say it: the failure, and the
//! reasons the SSH and `.env` presets print (what of the shop's file could not be kept, what is
//! wrong with its `.env` file). Plain Rust.

use serde::Serialize;

/// Why a delivery did not work; the secret then goes to the clipboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum DeliveryFailure {
    /// The program is not there, or cannot be run.
    NotFound { program: String },
    /// It ran and exited with this status.
    Exited { code: i32 },
    /// It was ended by a signal (Unix).
    Killed { signal: i32 },
    /// A batch file (`.bat`, `.cmd`): it would run through cmd.exe, a shell.
    BatchFile,
    /// It did not finish within the timeout, and was stopped.
    TimedOut { seconds: u32 },
    /// It ended without reading the whole key (`true`, or a command that takes no input).
    LeftUnread { bytes: u64 },
    /// The file the shop reads has an owner, group or mode the new file could not be given by
    /// the SSH user: nothing was rotated, the file is as it was.
    CannotKeep { what: KeptAttribute },
    /// The `.env` preset's file cannot take the key as it is: nothing was rotated.
    EnvFile { problem: EnvFileProblem },
    /// The secret CertoPay sent does not look like a key (too long, or control characters): it
    /// was not given to the command.
    ImplausibleKey,
    /// It could not be started or talked to.
    Failed { detail: String },
}

/// Why the `.env` preset's file cannot take the key (`DeliveryFailure::EnvFile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EnvFileProblem {
    /// The variable's name is not one a shell would take (letters, digits, `_`).
    BadName,
    /// There is no such file.
    Missing,
    /// The file sets the variable more than once: which line to keep is the person's call.
    Repeated,
}

impl EnvFileProblem {
    /// The word the preset prints after `ENV_MARKER`.
    pub fn named(word: &str) -> Option<EnvFileProblem> {
        match word {
            "badName" => Some(EnvFileProblem::BadName),
            "missing" => Some(EnvFileProblem::Missing),
            "repeated" => Some(EnvFileProblem::Repeated),
            _ => None,
        }
    }
}

/// What of the shop's file the new one must keep (`DeliveryFailure::CannotKeep`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeptAttribute {
    Owner,
    Group,
    Mode,
}

impl KeptAttribute {
    /// The word the SSH preset prints after `KEEP_MARKER`.
    pub fn named(word: &str) -> Option<KeptAttribute> {
        match word {
            "owner" => Some(KeptAttribute::Owner),
            "group" => Some(KeptAttribute::Group),
            "mode" => Some(KeptAttribute::Mode),
            _ => None,
        }
    }
}

/// How a delivery command's process ended, as the system said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessEnd {
    Exited {
        code: i32,
    },
    /// Ended by a signal (Unix).
    Killed {
        signal: i32,
    },
}

impl ProcessEnd {
    /// The failure an end before the key was given means: any end at all.
    pub fn failure(self) -> DeliveryFailure {
        match self {
            ProcessEnd::Exited { code } => DeliveryFailure::Exited { code },
            ProcessEnd::Killed { signal } => DeliveryFailure::Killed { signal },
        }
    }
}

/// Whether a delivery command that was given the key delivered it: only if the whole key was
/// written, the process read every byte of it (`unread`: what is left in the pipe) and exited
/// with 0. The verdict follows the process, not what it printed.
pub fn delivery_verdict(written: Result<(), String>, ended: Result<ProcessEnd, String>, unread: u64) -> Result<(), DeliveryFailure> {
    match (written, ended) {
        (Err(detail), _) | (_, Err(detail)) => Err(DeliveryFailure::Failed { detail }),
        (Ok(()), Ok(_)) if unread > 0 => Err(DeliveryFailure::LeftUnread { bytes: unread }),
        (Ok(()), Ok(ProcessEnd::Exited { code: 0 })) => Ok(()),
        (Ok(()), Ok(end)) => Err(end.failure()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivered_only_when_the_whole_key_was_written_read_and_the_command_exited_0() {
        let exited = |code| Ok(ProcessEnd::Exited { code });
        assert_eq!(delivery_verdict(Ok(()), exited(0), 0), Ok(()));
        assert_eq!(
            delivery_verdict(Ok(()), exited(0), 12),
            Err(DeliveryFailure::LeftUnread { bytes: 12 }),
            "exit 0 but the key left unread"
        );
        assert_eq!(delivery_verdict(Ok(()), exited(3), 0), Err(DeliveryFailure::Exited { code: 3 }));
        assert_eq!(delivery_verdict(Ok(()), Ok(ProcessEnd::Killed { signal: 9 }), 0), Err(DeliveryFailure::Killed { signal: 9 }));
        assert_eq!(
            delivery_verdict(Err("broken pipe".into()), exited(0), 0),
            Err(DeliveryFailure::Failed { detail: "broken pipe".into() })
        );
        assert_eq!(delivery_verdict(Ok(()), Err("wait failed".into()), 0), Err(DeliveryFailure::Failed { detail: "wait failed".into() }));
    }
}
