#![allow(dead_code)]

pub mod app;
pub mod rotation;
pub mod webdriver;
