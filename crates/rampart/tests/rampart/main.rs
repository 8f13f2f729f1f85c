//! The `rampart` binary end to end: every test runs the real binary in a temporary
//! directory. One test program for all of them, so the suite links once.

mod common;

mod admit;
mod cli;
mod compliance;
mod compliance_browser;
mod db;
mod image;
mod inputs;
mod node;
mod policy;
mod pss;
mod sarif;
mod vulns;
