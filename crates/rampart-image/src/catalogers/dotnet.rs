//! Not written yet.

use crate::{CatalogInput, Cataloger, Catalogued, FileMeta};

pub struct Dotnet;

impl Cataloger for Dotnet {
    fn id(&self) -> &'static str {
        "dotnet"
    }

    fn wants(&self, _path: &str, _meta: &FileMeta) -> bool {
        false
    }

    fn catalog(&self, _input: &CatalogInput<'_>) -> Catalogued {
        Catalogued::default()
    }
}
