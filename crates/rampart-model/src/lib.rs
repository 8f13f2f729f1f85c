//! The Kubernetes object model of Rampart: YAML and JSON texts become spanned trees (every
//! node knows its line and column), documents become [`Object`]s, and workloads of any kind
//! expose their pod spec through [`PodSpec`].
//!
//! This crate does no file, network or terminal I/O: callers hand it bytes or JSON.

mod node;
mod object;
mod source;
mod workload;
pub mod yaml;

use std::sync::Arc;

pub use node::{Key, Node, Pos, Scalar, ScalarType, Text, Value, resolve_plain};
pub use object::{DocKind, Object, Source, objects_from_doc};
pub use source::{DecodeError, decode};
pub use workload::{Container, ContainerKind, PodSpec, is_workload};
pub use yaml::{Limits, Problem};

/// The outcome of reading one source.
#[derive(Debug, Default)]
pub struct Parsed {
    pub objects: Vec<Object>,
    /// Documents that were valid YAML but not Kubernetes objects.
    pub not_kubernetes: usize,
    /// Empty documents.
    pub empty: usize,
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

/// Loads the text of `source` into objects. Never panics on any input.
pub fn parse_source(source: &Arc<Source>, limits: &Limits) -> Parsed {
    parse_text(source, source.text.as_deref().unwrap_or(""), limits)
}

/// Loads `text`, the content of `source`, into objects whose source is `source`: for a
/// caller that does not keep the text in the source (nothing will show its lines), so the
/// memory of a large scan's texts can be reused. Never panics on any input.
pub fn parse_text(source: &Arc<Source>, text: &str, limits: &Limits) -> Parsed {
    let loaded = yaml::load(text, limits);
    let mut out = Parsed {
        errors: loaded.errors,
        warnings: loaded.warnings,
        ..Parsed::default()
    };
    for doc in loaded.docs {
        match objects_from_doc(source, doc) {
            DocKind::Objects(objs) => out.objects.extend(objs),
            DocKind::Empty => out.empty += 1,
            DocKind::NotKubernetes => out.not_kubernetes += 1,
            DocKind::Invalid { pos, message } => out.errors.push(Problem { pos, message }),
        }
    }
    out
}

/// How serious a diagnostic about the input or the configuration is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Warning,
    Error,
}

/// A message for people about an input or configuration problem (not a finding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub level: Level,
    /// The file (or `<stdin>`) it is about.
    pub file: String,
    pub pos: Option<Pos>,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Warning => "warning",
            Level::Error => "error",
        };
        match self.pos {
            Some(p) if p.is_known() => {
                write!(f, "{level}: {}:{}:{}: {}", self.file, p.line, p.col, self.message)
            }
            _ => write!(f, "{level}: {}: {}", self.file, self.message),
        }
    }
}
