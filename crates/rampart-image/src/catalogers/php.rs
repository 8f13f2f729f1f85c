//! Not written yet.

use crate::{CatalogInput, Cataloger, Catalogued, FileMeta};

pub struct Php;

impl Cataloger for Php {
    fn id(&self) -> &'static str {
        "php"
    }

    fn wants(&self, _path: &str, _meta: &FileMeta) -> bool {
        false
    }

    fn catalog(&self, _input: &CatalogInput<'_>) -> Catalogued {
        Catalogued::default()
    }
}
