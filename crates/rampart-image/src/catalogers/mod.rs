//! One file per package database or language ecosystem. [`all`] is the list the
//! inventory runs; a new cataloger is one file here plus one line in [`all`].

use crate::Cataloger;

pub mod apk;
pub mod dotnet;
pub mod dpkg;
pub mod go;
pub mod java;
pub mod node;
pub mod os;
pub mod php;
pub mod python;
pub mod rpm;
pub mod ruby;
pub mod rust;

/// Every cataloger, OS package databases first.
pub fn all() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(dpkg::Dpkg),
        Box::new(apk::Apk),
        Box::new(rpm::Rpm),
        Box::new(python::Python),
        Box::new(node::Node),
        Box::new(go::Go),
        Box::new(rust::Rust),
        Box::new(java::Java),
        Box::new(ruby::Ruby),
        Box::new(php::Php),
        Box::new(dotnet::Dotnet),
    ]
}
