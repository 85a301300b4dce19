//! The app's own files, private to the user and written whole: the settings file, the
//! rotation history, the removed-key notice and the overview's seen keys; and the history's
//! export where the user chooses. Never a secret, a token or a password.

pub mod history;
pub mod history_export;
pub(crate) mod private_files;
pub mod removed_notice;
pub mod seen_keys;
pub mod settings_store;
pub mod update_record;
