//! Whether and how the app is updated, as Settings → About says it. Plain Rust: the caller
//! reads the machine (the organisation's policy, the kind of build).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum UpdateStatus {
    /// IT turned updates off for everyone (Windows' policy key, or the environment variable).
    ManagedByOrganisation,
    /// The feed is checked daily; a newer version signed with the project's key is offered.
    Checked,
    /// Linux packages: the system's package manager brings new versions; no self-update.
    PackageManager,
    /// This build checks no update feed.
    NotChecked,
}

/// How this build is updated: the organisation's word first, then whether the build names a
/// feed (Windows builds made with one; Linux builds never, but a build made for tests), then
/// the kind of system.
pub fn update_status(disabled_by_organisation: bool, has_feed: bool, linux: bool) -> UpdateStatus {
    if disabled_by_organisation {
        UpdateStatus::ManagedByOrganisation
    } else if has_feed {
        UpdateStatus::Checked
    } else if linux {
        UpdateStatus::PackageManager
    } else {
        UpdateStatus::NotChecked
    }
}

/// The environment variable's value turns updates off when it says so ("1", "true", "yes").
pub fn variable_disables(value: Option<&str>) -> bool {
    value.is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organisation_decides_first() {
        assert_eq!(update_status(true, true, true), UpdateStatus::ManagedByOrganisation);
        assert_eq!(update_status(true, true, false), UpdateStatus::ManagedByOrganisation);
        assert_eq!(update_status(true, false, false), UpdateStatus::ManagedByOrganisation);
        assert_eq!(update_status(false, true, false), UpdateStatus::Checked);
        assert_eq!(update_status(false, false, true), UpdateStatus::PackageManager);
        assert_eq!(update_status(false, false, false), UpdateStatus::NotChecked);
        assert!(variable_disables(Some(" 1")) && variable_disables(Some("TRUE")) && variable_disables(Some("yes")));
        assert!(!variable_disables(None) && !variable_disables(Some("0")) && !variable_disables(Some("")));
    }
}
