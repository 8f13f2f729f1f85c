//! Not written yet.

use crate::{CatalogInput, Cataloger, Catalogued, FileMeta};

pub struct Node;

impl Cataloger for Node {
    fn id(&self) -> &'static str {
        "node"
    }

    fn wants(&self, _path: &str, _meta: &FileMeta) -> bool {
        false
    }

    fn catalog(&self, _input: &CatalogInput<'_>) -> Catalogued {
        Catalogued::default()
    }
}
