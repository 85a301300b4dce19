//! The core, without the app's state: the CertoPay client against the sandbox over real HTTP,
//! the parsers fed generated input, and the house's shape read from its files (the layers'
//! imports, the window's modules, the one list of commands), and the release scripts.

#[path = "../support/mod.rs"]
mod support;

mod client;
mod error_sentences;
mod fuzz;
mod layers;
#[cfg(unix)]
mod packaging;
mod readme_paths;
mod ui_modules;
