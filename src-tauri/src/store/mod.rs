//! The app's own files, private to the user and written whole: the settings file, the
//! rotation history, and the removed-key notice. Never a secret, a token or a password.

pub mod history;
pub(crate) mod private_files;
pub mod removed_notice;
pub mod settings_store;
