#![allow(dead_code)]

pub mod app;
pub mod catalogue;
pub mod company_ca;
pub mod harness;
pub mod rotation;
pub mod squid;
pub mod sshd;
pub mod webdriver;
