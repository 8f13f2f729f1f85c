//! .NET `*.deps.json` (a committed fixture in the SDK's format): only libraries of type
//! `package` are NuGet packages; projects and framework references are not.

mod lang_support;

use std::path::Path;

use lang_support::{catalog, write};
use rampart_image::catalogers::dotnet::Dotnet;

#[test]
fn package_libraries_are_nuget_packages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/dotnet");
    let inv = catalog(Dotnet, &root);
    assert!(inv.warnings.is_empty(), "{:#?}", inv.warnings);
    let found: Vec<_> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.purl.as_str(),
                p.locations[0].path.as_str(),
            )
        })
        .collect();
    let at = "/app/Shop.Api.deps.json";
    assert_eq!(
        found,
        [
            (
                "Newtonsoft.Json",
                "13.0.3",
                "pkg:nuget/Newtonsoft.Json@13.0.3",
                at
            ),
            ("Serilog", "3.1.1", "pkg:nuget/Serilog@3.1.1", at),
        ]
    );
}

#[test]
fn broken_deps_json_is_a_warning_naming_it() {
    let root = tempfile::tempdir().unwrap();
    write(
        &root.path().join("app/x.deps.json"),
        "{\"libraries\": {\"A/1.0\": ",
    );
    write(&root.path().join("app/y.deps.json"), "{\"libraries\": []}");
    let inv = catalog(Dotnet, root.path());
    assert!(inv.packages.is_empty());
    let paths: Vec<_> = inv.warnings.iter().map(|w| w.path.as_deref().unwrap()).collect();
    assert_eq!(paths, ["/app/x.deps.json", "/app/y.deps.json"]);
}
