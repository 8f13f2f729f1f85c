//! Not written yet.

use crate::{CatalogInput, Cataloger, Catalogued, FileMeta};

pub struct Java;

impl Cataloger for Java {
    fn id(&self) -> &'static str {
        "java"
    }

    fn wants(&self, _path: &str, _meta: &FileMeta) -> bool {
        false
    }

    fn catalog(&self, _input: &CatalogInput<'_>) -> Catalogued {
        Catalogued::default()
    }
}
