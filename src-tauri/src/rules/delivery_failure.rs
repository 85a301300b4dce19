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
