//! Not written yet.

use crate::{CatalogInput, Cataloger, Catalogued, FileMeta};

pub struct Dpkg;

impl Cataloger for Dpkg {
    fn id(&self) -> &'static str {
        "dpkg"
    }

    fn wants(&self, _path: &str, _meta: &FileMeta) -> bool {
        false
    }

    fn catalog(&self, _input: &CatalogInput<'_>) -> Catalogued {
        Catalogued::default()
    }
}
