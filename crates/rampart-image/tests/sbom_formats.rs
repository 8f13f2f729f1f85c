//! The four outputs of `rampart image inventory` on an inventory of many realistic
//! packages: specific contents, validity against the official CycloneDX 1.6 and SPDX 2.3
//! JSON schemas (../shared/schemas, resolved locally), determinism, SOURCE_DATE_EPOCH.

mod sbom_fixture;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rampart_image::sbom::{self, DocumentId, Format, Options, Timestamp};
use serde_json::Value;

/// ../shared/schemas beside the repository (RAMPART_SHARED_DIR overrides ../shared, for
/// checkouts that do not sit beside it).
fn schemas_dir() -> PathBuf {
    let shared = std::env::var_os("RAMPART_SHARED_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    let dir = shared.join("schemas");
    assert!(
        dir.join("bom-1.6.schema.json").is_file(),
        "{}: the shared schemas are expected beside the repository (or set RAMPART_SHARED_DIR)",
        dir.display()
    );
    dir
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Serves `$ref`s to the CycloneDX schema's siblings from the schemas directory; any
/// other URI is an error (nothing is fetched over the network).
struct LocalSchemas(PathBuf);

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix("http://cyclonedx.org/schema/")
            .filter(|n| !n.contains('/'))
            .ok_or_else(|| format!("refusing to fetch {uri}: only the local CycloneDX schemas are served"))?;
        let text = std::fs::read_to_string(self.0.join(name))?;
        Ok(serde_json::from_str(&text)?)
    }
}

fn validate(schema_file: &str, doc: &Value) {
    let dir = schemas_dir();
    let schema = read_json(&dir.join(schema_file));
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas(dir))
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{schema_file}: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid against {schema_file}:\n{}",
        errors.join("\n")
    );
}

fn options(secs: u64) -> Options {
    Options {
        created: Timestamp::from_unix(secs).unwrap(),
        document_id: DocumentId::FromContent,
    }
}

fn render(format: Format, opts: &Options) -> String {
    let mut out = Vec::new();
    sbom::write(
        format,
        &sbom_fixture::inventory(),
        &sbom_fixture::subject(),
        opts,
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

fn render_json(format: Format, opts: &Options) -> Value {
    serde_json::from_str(&render(format, opts)).unwrap()
}

fn component<'a>(bom: &'a Value, name: &str, kind: &str) -> &'a Value {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["name"] == name
                && c["properties"].as_array().is_some_and(|p| {
                    p.iter()
                        .any(|p| p["name"] == "rampart:package:type" && p["value"] == kind)
                })
        })
        .unwrap_or_else(|| panic!("no {kind} component {name}"))
}

fn spdx_package<'a>(doc: &'a Value, name: &str, kind: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["name"] == name
                && p["comment"]
                    .as_str()
                    .is_some_and(|c| c.starts_with(&format!("type: {kind}")))
        })
        .unwrap_or_else(|| panic!("no {kind} package {name}"))
}

#[test]
fn cyclonedx_is_valid_against_the_1_6_schema() {
    validate(
        "bom-1.6.schema.json",
        &render_json(Format::CycloneDxJson, &options(1_700_000_000)),
    );
}

#[test]
fn schema_validation_catches_a_broken_document() {
    // The validator is strict enough to matter: a licence id outside the SPDX list (checked
    // through the locally resolved spdx.schema.json) and a bad serial number are caught.
    let mut bom = render_json(Format::CycloneDxJson, &options(0));
    bom["serialNumber"] = "urn:uuid:not-a-uuid".into();
    bom["components"][1]["licenses"] = serde_json::json!([{"license": {"id": "Not-A-Licence"}}]);
    let dir = schemas_dir();
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas(dir.clone()))
        .build(&read_json(&dir.join("bom-1.6.schema.json")))
        .unwrap();
    let errors: Vec<_> = validator
        .iter_errors(&bom)
        .map(|e| e.instance_path().to_string())
        .collect();
    assert!(errors.iter().any(|p| p == "/serialNumber"), "{errors:?}");
    assert!(
        errors.iter().any(|p| p.starts_with("/components/1/licenses")),
        "{errors:?}"
    );
    let mut spdx = render_json(Format::SpdxJson, &options(0));
    spdx["packages"][2]["externalRefs"][0]["referenceCategory"] = "PACKAGE_MANAGER".into();
    let validator = jsonschema::validator_for(&read_json(&dir.join("spdx-2.3-schema.json"))).unwrap();
    assert!(!validator.is_valid(&spdx));
}

#[test]
fn spdx_is_valid_against_the_2_3_schema() {
    validate(
        "spdx-2.3-schema.json",
        &render_json(Format::SpdxJson, &options(1_700_000_000)),
    );
}

#[test]
fn the_licence_id_list_is_part_of_the_spdx_list() {
    let schema = read_json(&schemas_dir().join("spdx.schema.json"));
    let known: HashSet<&str> = schema["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for id in sbom::license::LICENSE_IDS
        .iter()
        .chain(sbom::license::EXCEPTION_IDS)
    {
        assert!(known.contains(id), "{id} is not an SPDX licence or exception id");
    }
}

#[test]
fn cyclonedx_contents() {
    let bom = render_json(Format::CycloneDxJson, &options(1_700_000_000));
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(bom["version"], 1);
    let serial = bom["serialNumber"].as_str().unwrap();
    assert!(
        serial.starts_with("urn:uuid:") && serial.len() == 45 && &serial[23..24] == "5",
        "{serial}"
    );
    let meta = &bom["metadata"];
    assert_eq!(meta["timestamp"], "2023-11-14T22:13:20Z");
    assert_eq!(meta["tools"]["components"][0]["name"], "rampart");
    assert_eq!(
        meta["tools"]["components"][0]["version"],
        env!("CARGO_PKG_VERSION")
    );

    let image = &meta["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], "registry.example:5000/team/app:1.4");
    assert_eq!(image["version"], sbom_fixture::MANIFEST);
    assert_eq!(image["hashes"][0]["alg"], "SHA-256");
    assert_eq!(image["hashes"][0]["content"], &sbom_fixture::MANIFEST[7..]);
    assert_eq!(
        image["purl"],
        "pkg:oci/app@sha256%3A3333333333333333333333333333333333333333333333333333333333333333?arch=amd64&os=linux&repository_url=registry.example%3A5000%2Fteam%2Fapp&tag=1.4"
    );
    let image_props: Vec<(&str, &str)> = image["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
        .collect();
    assert!(image_props.contains(&("rampart:image:source", "registry")));
    assert!(image_props.contains(&("rampart:image:config-digest", sbom_fixture::CONFIG)));
    assert!(image_props.contains(&("rampart:image:platform", "linux/amd64")));
    let layers: Vec<_> = image_props
        .iter()
        .filter(|(n, _)| *n == "rampart:image:layer")
        .map(|(_, v)| *v)
        .collect();
    assert_eq!(layers, [sbom_fixture::BASE_LAYER, sbom_fixture::APP_LAYER]);

    let components = bom["components"].as_array().unwrap();
    let n_packages = sbom_fixture::packages().len();
    assert_eq!(components.len(), n_packages + 1);
    let os = &components[0];
    assert_eq!(
        (os["type"].as_str(), os["name"].as_str(), os["version"].as_str()),
        (Some("operating-system"), Some("debian"), Some("12"))
    );
    assert!(components[1..].iter().all(|c| c["type"] == "library"));

    // bom-refs are unique (the two lodash entries share a purl) and the image depends on
    // every component, nothing else.
    let refs: Vec<&str> = components
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    let unique: BTreeSet<&str> = refs.iter().copied().collect();
    assert_eq!(unique.len(), refs.len(), "{refs:?}");
    let deps = bom["dependencies"].as_array().unwrap();
    assert_eq!(deps.len(), 1);
    assert_eq!(deps[0]["ref"], image["bom-ref"]);
    let depends: BTreeSet<&str> = deps[0]["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(depends, unique);

    // purls, with their epochs, scopes and namespaces.
    let purls: HashSet<&str> = components.iter().filter_map(|c| c["purl"].as_str()).collect();
    for p in [
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
        "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12",
        "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3",
        "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1",
        "pkg:npm/%40babel/core@7.23.2",
        "pkg:golang/stdlib@go1.21.5",
        "pkg:golang/github.com/pkg/errors@v0.9.1",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        "pkg:cargo/serde@1.0.193",
        "pkg:composer/symfony/console@v6.3.4",
        "pkg:nuget/Newtonsoft.Json@13.0.3",
    ] {
        assert!(purls.contains(p), "missing {p}");
    }

    // Licences: SPDX ids by id, expressions as one expression, anything else by name.
    let lic = |name: &str, kind: &str| component(&bom, name, kind)["licenses"].clone();
    let ack = "declared";
    assert_eq!(
        lic("libc6", "deb"),
        serde_json::json!([
            {"license": {"id": "GPL-2.0-or-later", "acknowledgement": ack}},
            {"license": {"id": "LGPL-2.1-or-later", "acknowledgement": ack}}
        ])
    );
    assert_eq!(
        lic("serde", "cargo"),
        serde_json::json!([{"expression": "MIT OR Apache-2.0", "acknowledgement": ack}])
    );
    assert_eq!(
        lic("libstdc++6", "deb"),
        serde_json::json!([{"expression": "GPL-3.0-or-later WITH GCC-exception-3.1", "acknowledgement": ack}])
    );
    assert_eq!(
        lic("ca-certificates-bundle", "apk"),
        serde_json::json!([{"expression": "MPL-2.0 AND MIT", "acknowledgement": ack}])
    );
    assert_eq!(
        lic("bash", "rpm"),
        serde_json::json!([{"license": {"id": "GPL-3.0-or-later", "acknowledgement": ack}}])
    );
    assert_eq!(
        lic("org.apache.logging.log4j/log4j-core", "maven"),
        serde_json::json!([{"license": {"id": "Apache-2.0", "acknowledgement": ack}}])
    );
    assert_eq!(
        lic("chardet", "python"),
        serde_json::json!([{"license": {"name": "GPL-2.0+ and BSD", "acknowledgement": ack}}])
    );
    assert_eq!(
        lic("acme-internal", "python"),
        serde_json::json!([{"license": {"name": "Custom license text", "acknowledgement": ack}}])
    );
    assert_eq!(
        lic("openssl-libs", "rpm"),
        serde_json::json!([{"expression": "OpenSSL AND Apache-2.0", "acknowledgement": ack}])
    );
    assert_eq!(
        lic("tzdata", "rpm"),
        serde_json::json!([{"license": {"name": "Public Domain", "acknowledgement": ack}}])
    );
    assert_eq!(
        lic("dual", "npm"),
        serde_json::json!([
            {"license": {"id": "MIT", "acknowledgement": ack}},
            {"license": {"name": "Custom license text", "acknowledgement": ack}}
        ])
    );
    assert_eq!(lic("tzdata", "deb"), Value::Null);

    // Locations and the rest as documented properties.
    let props: Vec<(String, String)> = component(&bom, "lodash", "npm")["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(props.contains(&(
        "rampart:location:0:path".into(),
        "/app/node_modules/lodash/package.json".into()
    )));
    assert!(props.contains(&("rampart:location:0:layer".into(), sbom_fixture::APP_LAYER.into())));
    assert!(props.contains(&("rampart:package:cataloger".into(), "node".into())));
    let libc6 = component(&bom, "libc6", "deb")["properties"].to_string();
    assert!(
        libc6.contains(r#"{"name":"rampart:package:source-name","value":"glibc"}"#),
        "{libc6}"
    );
    assert!(
        libc6.contains(r#"{"name":"rampart:package:arch","value":"amd64"}"#),
        "{libc6}"
    );
}

#[test]
fn spdx_contents() {
    let doc = render_json(Format::SpdxJson, &options(1_700_000_000));
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    assert_eq!(doc["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(doc["name"], "registry.example:5000/team/app:1.4");
    let ns = doc["documentNamespace"].as_str().unwrap();
    assert!(
        ns.starts_with(&format!(
            "{}/spdx/registry.example-5000-team-app-1.4-",
            env!("CARGO_PKG_REPOSITORY")
        )) && !ns.contains('#'),
        "{ns}"
    );
    assert_eq!(doc["creationInfo"]["created"], "2023-11-14T22:13:20Z");
    assert_eq!(
        doc["creationInfo"]["creators"],
        serde_json::json!([format!("Tool: rampart-{}", env!("CARGO_PKG_VERSION"))])
    );

    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(packages.len(), sbom_fixture::packages().len() + 2);
    let ids: Vec<&str> = packages.iter().map(|p| p["SPDXID"].as_str().unwrap()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len());
    for id in &ids {
        let tail = id.strip_prefix("SPDXRef-").unwrap();
        assert!(
            !tail.is_empty()
                && tail
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'),
            "{id}"
        );
    }
    for p in packages {
        assert_eq!(p["downloadLocation"], "NOASSERTION");
        assert_eq!(p["filesAnalyzed"], false);
    }
    let image = &packages[0];
    assert_eq!(
        (image["SPDXID"].as_str(), image["primaryPackagePurpose"].as_str()),
        (Some("SPDXRef-Image"), Some("CONTAINER"))
    );
    assert_eq!(
        image["checksums"][0]["checksumValue"],
        &sbom_fixture::MANIFEST[7..]
    );
    let os = &packages[1];
    assert_eq!(
        (
            os["name"].as_str(),
            os["versionInfo"].as_str(),
            os["primaryPackagePurpose"].as_str()
        ),
        (Some("debian"), Some("12"), Some("OPERATING_SYSTEM"))
    );

    // DOCUMENT DESCRIBES the image; the image CONTAINS the OS and every package.
    let rels: Vec<(&str, &str, &str)> = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["spdxElementId"].as_str().unwrap(),
                r["relationshipType"].as_str().unwrap(),
                r["relatedSpdxElement"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(rels.contains(&("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image")));
    for id in &ids[1..] {
        assert!(
            rels.contains(&("SPDXRef-Image", "CONTAINS", id)),
            "{id} not contained"
        );
    }
    assert_eq!(rels.len(), ids.len());

    let rpm = spdx_package(&doc, "openssl-libs", "rpm");
    assert_eq!(rpm["versionInfo"], "1:3.0.7-27.el9");
    assert_eq!(rpm["externalRefs"][0]["referenceCategory"], "PACKAGE-MANAGER");
    assert_eq!(rpm["externalRefs"][0]["referenceType"], "purl");
    assert_eq!(
        rpm["externalRefs"][0]["referenceLocator"],
        "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1"
    );
    let babel = spdx_package(&doc, "@babel/core", "npm");
    assert_eq!(
        babel["externalRefs"][0]["referenceLocator"],
        "pkg:npm/%40babel/core@7.23.2"
    );
    assert_eq!(babel["primaryPackagePurpose"], "LIBRARY");
    assert_eq!(
        babel["sourceInfo"],
        format!(
            "found by the rampart node cataloger in: /app/node_modules/@babel/core/package.json (layer {})",
            sbom_fixture::APP_LAYER
        )
    );
    assert_eq!(
        spdx_package(&doc, "bash", "deb")["comment"],
        "type: deb; source package: bash 5.2.15-2; architecture: amd64"
    );

    // licenseDeclared: SPDX expressions as they are, the rest as LicenseRefs explained in
    // hasExtractedLicensingInfos.
    let declared = |name: &str, kind: &str| {
        spdx_package(&doc, name, kind)["licenseDeclared"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(declared("libc6", "deb"), "GPL-2.0-or-later AND LGPL-2.1-or-later");
    assert_eq!(declared("serde", "cargo"), "MIT OR Apache-2.0");
    assert_eq!(
        declared("chardet", "python"),
        "GPL-2.0-or-later AND LicenseRef-BSD"
    );
    assert_eq!(
        declared("perl-base", "deb"),
        "GPL-1.0-or-later OR LicenseRef-Artistic"
    );
    assert_eq!(
        declared("acme-internal", "python"),
        "LicenseRef-Custom-license-text"
    );
    assert_eq!(
        declared("golang.org/x/net", "go"),
        "LicenseRef-Custom-license-text"
    );
    assert_eq!(declared("dual", "npm"), "MIT AND LicenseRef-Custom-license-text");
    assert_eq!(declared("ring", "cargo"), "LicenseRef-ring");
    assert_eq!(declared("tzdata", "deb"), "NOASSERTION");
    assert_eq!(declared("ruamel.yaml", "python"), "MIT");

    let infos = doc["hasExtractedLicensingInfos"].as_array().unwrap();
    let info_ids: BTreeSet<&str> = infos.iter().map(|i| i["licenseId"].as_str().unwrap()).collect();
    assert_eq!(info_ids.len(), infos.len());
    let text_of = |id: &str| {
        infos
            .iter()
            .find(|i| i["licenseId"] == id)
            .map(|i| i["extractedText"].as_str().unwrap())
    };
    assert_eq!(text_of("LicenseRef-BSD"), Some("BSD"));
    assert_eq!(
        text_of("LicenseRef-Custom-license-text"),
        Some("Custom license text")
    );
    // A package declared LicenseRef-Public-Domain itself: the id made for the text
    // "Public Domain" steps aside.
    assert_eq!(declared("legacy", "gem"), "LicenseRef-Public-Domain");
    assert_eq!(declared("tzdata", "rpm"), "LicenseRef-Public-Domain-2");
    assert_eq!(text_of("LicenseRef-Public-Domain-2"), Some("Public Domain"));
    assert_eq!(
        text_of("LicenseRef-Commercial-see-EULA-c-Acme"),
        Some("Commercial — see \"EULA\" (c) Acme")
    );
    assert_eq!(declared("openssl-libs", "rpm"), "OpenSSL AND Apache-2.0");
    // Every LicenseRef used is explained, and every explained one is used; a reference
    // the package declared itself (LicenseRef-ring) keeps its id.
    assert!(
        text_of("LicenseRef-ring")
            .unwrap()
            .starts_with("LicenseRef-ring is declared by the package")
    );
    let mut used = BTreeSet::new();
    for p in packages {
        for word in p["licenseDeclared"].as_str().unwrap().split([' ', '(', ')']) {
            if word.starts_with("LicenseRef-") {
                used.insert(word);
            }
        }
    }
    assert_eq!(used, info_ids);
}

#[test]
fn every_output_is_identical_across_runs() {
    for format in Format::ALL {
        let a = render(format, &options(1_700_000_000));
        let b = render(format, &options(1_700_000_000));
        assert_eq!(a, b, "{} differs between two runs", format.as_str());
    }
}

#[test]
fn document_ids_come_from_the_content() {
    let serial = |opts: &Options, inv: &rampart_image::Inventory| {
        let mut out = Vec::new();
        sbom::write_cyclonedx(inv, &sbom_fixture::subject(), opts, &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        v["serialNumber"].as_str().unwrap().to_string()
    };
    let namespace = |opts: &Options, inv: &rampart_image::Inventory| {
        let mut out = Vec::new();
        sbom::write_spdx(inv, &sbom_fixture::subject(), opts, &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        v["documentNamespace"].as_str().unwrap().to_string()
    };
    let inv = sbom_fixture::inventory();
    // The creation time is not part of the identity ...
    assert_eq!(serial(&options(1), &inv), serial(&options(2), &inv));
    assert_eq!(namespace(&options(1), &inv), namespace(&options(2), &inv));
    // ... the packages are,
    let mut changed = sbom_fixture::inventory();
    changed.packages[0].version.push('1');
    assert_ne!(serial(&options(1), &inv), serial(&options(1), &changed));
    assert_ne!(namespace(&options(1), &inv), namespace(&options(1), &changed));
    // and a unique id differs on every call.
    let unique = Options {
        document_id: DocumentId::Unique,
        ..options(1)
    };
    let (a, b) = (serial(&unique, &inv), serial(&unique, &inv));
    assert_ne!(a, b);
    assert_eq!(&a[23..24], "4");
}

#[test]
fn invalid_source_date_epoch_is_an_error() {
    for bad in ["yesterday", "-5", "1.5", "99999999999999"] {
        let err = Options::from_source_date_epoch(Some(bad))
            .unwrap_err()
            .to_string();
        assert!(err.contains("SOURCE_DATE_EPOCH") && err.contains(bad), "{err}");
    }
    assert!(Options::from_source_date_epoch(Some("")).is_ok());
}

/// Runs in a child process with SOURCE_DATE_EPOCH set (see the next test): writes both
/// SBOMs, created with [`Options::from_env`], to the file named by
/// RAMPART_SBOM_TEST_OUT. Does nothing in a normal test run.
#[test]
fn source_date_epoch_child() {
    let Some(out) = std::env::var_os("RAMPART_SBOM_TEST_OUT") else {
        return;
    };
    let text = match Options::from_env() {
        Ok(opts) => format!(
            "{}\n{}",
            render(Format::CycloneDxJson, &opts).replace('\n', ""),
            render(Format::SpdxJson, &opts).replace('\n', "")
        ),
        Err(e) => format!("error: {e}"),
    };
    std::fs::write(out, text).unwrap();
}

fn run_child(epoch: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "source_date_epoch_child", "--test-threads=1"])
        .env("RAMPART_SBOM_TEST_OUT", &out)
        .env_remove("SOURCE_DATE_EPOCH");
    if let Some(e) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", e);
    }
    let status = cmd.output().unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
    std::fs::read_to_string(&out).unwrap()
}

#[test]
fn source_date_epoch_is_honoured() {
    let out = run_child(Some("1234567890"));
    let mut lines = out.lines();
    let bom: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let spdx: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(bom["metadata"]["timestamp"], "2009-02-13T23:31:30Z");
    assert_eq!(spdx["creationInfo"]["created"], "2009-02-13T23:31:30Z");
    // Same content, same epoch: the same documents as an in-process run (another process
    // has other hash seeds and addresses).
    assert_eq!(bom, render_json(Format::CycloneDxJson, &options(1_234_567_890)));
    assert_eq!(spdx, render_json(Format::SpdxJson, &options(1_234_567_890)));

    // Unset: the clock.
    let before = Timestamp::now();
    let out = run_child(None);
    let bom: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let stamp = bom["metadata"]["timestamp"].as_str().unwrap().to_string();
    assert!(
        stamp >= before.rfc3339() && stamp <= Timestamp::now().rfc3339(),
        "{stamp}"
    );

    assert!(run_child(Some("not-a-number")).starts_with("error: SOURCE_DATE_EPOCH=\"not-a-number\""));
}

#[test]
fn text_table() {
    let text = render(Format::Text, &options(0));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "image: registry.example:5000/team/app:1.4 ({}) [registry, linux/amd64]",
            sbom_fixture::MANIFEST
        )
    );
    assert_eq!(lines[1], "distro: Debian GNU/Linux 12 (bookworm)");
    let header = lines[3];
    assert!(
        header.starts_with("NAME ") && header.contains(" VERSION ") && header.ends_with("LOCATION"),
        "{header}"
    );
    let col = |name: &str| header.find(name).unwrap();
    let rows: Vec<&str> = lines[4..].iter().take_while(|l| !l.is_empty()).copied().collect();
    assert_eq!(rows.len(), sbom_fixture::packages().len());
    // Aligned columns, sorted by type (OS packages first) then name.
    let types: Vec<&str> = rows
        .iter()
        .map(|r| r[col("TYPE")..].split(' ').next().unwrap())
        .collect();
    let order = [
        "deb", "apk", "rpm", "python", "npm", "go", "cargo", "maven", "gem", "composer", "nuget",
    ];
    let rank: Vec<usize> = types
        .iter()
        .map(|t| order.iter().position(|o| o == t).unwrap())
        .collect();
    assert!(rank.windows(2).all(|w| w[0] <= w[1]), "{types:?}");
    assert!(
        rows[0].starts_with("bash ") && rows[0][col("VERSION")..].starts_with("5.2.15-2+b2 "),
        "{}",
        rows[0]
    );
    let libc = rows.iter().find(|r| r.starts_with("libc6 ")).unwrap();
    assert!(libc.ends_with("/var/lib/dpkg/status"), "{libc}");
    assert!(
        rows.iter().any(|r| r.starts_with("lodash ")
            && r.ends_with("/app/vendor/node_modules/lodash/package.json (+1 more)"))
    );
    let summary = lines
        .iter()
        .find(|l| l.starts_with("35 packages"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        *summary,
        "35 packages (6 deb, 3 apk, 3 rpm, 4 python, 7 npm, 3 go, 2 cargo, 2 maven, 2 gem, 1 composer, 2 nuget); distro debian 12; 1 warning"
    );
    assert!(text.ends_with(
        "warning: layer sha256:222222222222: /usr/local/bin/huge: skipped: 900000000 bytes, larger than the 67108864 bytes read for this kind of file\n"
    ));
}

#[test]
fn text_escapes_control_characters() {
    let mut inv = sbom_fixture::inventory();
    inv.packages[0].name = "evil\x1b]0;pwned\x07".into();
    let mut out = Vec::new();
    sbom::write_text(&inv, &sbom_fixture::subject(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains('\x1b') && !text.contains('\x07'));
    assert!(text.contains("evil\\u{1b}]0;pwned\\u{7}"));
}

#[test]
fn inventory_json_contents() {
    let doc = render_json(Format::Json, &options(0));
    assert_eq!(doc["schemaVersion"], "1.0");
    assert_eq!(doc["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["subject"]["source"], "registry");
    assert_eq!(doc["subject"]["layers"][1], sbom_fixture::APP_LAYER);
    assert_eq!(doc["distro"]["osvEcosystem"], "Debian:12");
    assert_eq!(doc["summary"]["packages"], 35);
    assert_eq!(doc["summary"]["byType"]["npm"], 7);
    assert_eq!(doc["summary"]["files"], 4321);
    let packages = doc["packages"].as_array().unwrap();
    let find = |name: &str, kind: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name && p["type"] == kind)
            .unwrap()
    };
    let libc6 = find("libc6", "deb");
    assert_eq!(
        libc6["source"],
        serde_json::json!({"name": "glibc", "version": "2.36-9+deb12u4"})
    );
    assert_eq!(libc6["licenses"], serde_json::json!(["GPL-2+", "LGPL-2.1+"]));
    assert_eq!(libc6["spdxLicense"], "GPL-2.0-or-later AND LGPL-2.1-or-later");
    assert_eq!(libc6["locations"][0]["layer"], sbom_fixture::BASE_LAYER);
    assert_eq!(find("chardet", "python")["spdxLicense"], Value::Null);
    assert_eq!(find("stdlib", "go")["source"], Value::Null);
    assert_eq!(find("stdlib", "go")["purl"], "pkg:golang/stdlib@go1.21.5");
    assert_eq!(doc["warnings"][0]["path"], "/usr/local/bin/huge");
}

/// Every key the JSON inventory writes (as a dotted path, `[]` for array items) is
/// documented in docs/inventory-json.md, and every documented path exists.
#[test]
fn inventory_json_fields_are_documented() {
    fn paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    // `byType` has one key per package type: documented as a map.
                    if prefix == "summary" && k == "byType" {
                        out.insert(p);
                        continue;
                    }
                    out.insert(p.clone());
                    paths(v, &p, out);
                }
            }
            Value::Array(items) => {
                for i in items {
                    paths(i, &format!("{prefix}[]"), out);
                }
            }
            _ => {}
        }
    }
    let doc = render_json(Format::Json, &options(0));
    let mut found = BTreeSet::new();
    paths(&doc, "", &mut found);
    let md_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/inventory-json.md");
    let md = std::fs::read_to_string(&md_path).unwrap();
    let documented: BTreeSet<String> = md
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(p, _)| p.to_string()))
        .collect();
    let missing: Vec<_> = found.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "fields not documented in docs/inventory-json.md: {missing:?}"
    );
    let stale: Vec<_> = documented.difference(&found).collect();
    assert!(
        stale.is_empty(),
        "documented fields the output does not have: {stale:?}"
    );
}

/// Every property name the CycloneDX writer uses is listed in docs/sbom.md.
#[test]
fn cyclonedx_property_names_are_documented() {
    let bom = render_json(Format::CycloneDxJson, &options(0));
    let md =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/sbom.md")).unwrap();
    let mut names = BTreeSet::new();
    let mut collect = |c: &Value| {
        for p in c["properties"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap();
            let generic: String = name
                .split(':')
                .map(|seg| {
                    if seg.bytes().all(|b| b.is_ascii_digit()) {
                        "N"
                    } else {
                        seg
                    }
                })
                .collect::<Vec<_>>()
                .join(":");
            names.insert(generic);
        }
    };
    collect(&bom["metadata"]["component"]);
    for c in bom["components"].as_array().unwrap() {
        collect(c);
    }
    assert!(names.len() >= 12, "{names:?}");
    for n in names {
        assert!(
            md.contains(&format!("`{n}`")),
            "{n} is not documented in docs/sbom.md"
        );
    }
}

#[test]
fn sources_without_digests_or_distro() {
    let mut inv = sbom_fixture::inventory();
    inv.distro = None;
    inv.packages.truncate(3);
    let subject = sbom::Subject {
        reference: "./rootfs".into(),
        source: sbom::SourceKind::Dir,
        manifest_digest: None,
        config_digest: None,
        platform: None,
        layers: vec![],
    };
    let opts = options(0);
    let mut out = Vec::new();
    sbom::write_cyclonedx(&inv, &subject, &opts, &mut out).unwrap();
    let bom: Value = serde_json::from_slice(&out).unwrap();
    validate("bom-1.6.schema.json", &bom);
    assert_eq!(bom["metadata"]["component"].get("version"), None);
    assert_eq!(bom["metadata"]["component"].get("purl"), None);
    assert_eq!(bom["components"].as_array().unwrap().len(), 3);
    let mut out = Vec::new();
    sbom::write_spdx(&inv, &subject, &opts, &mut out).unwrap();
    let spdx: Value = serde_json::from_slice(&out).unwrap();
    validate("spdx-2.3-schema.json", &spdx);
    assert_eq!(spdx["packages"].as_array().unwrap().len(), 4);
    let mut out = Vec::new();
    sbom::write_text(&inv, &subject, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("image: ./rootfs [dir]\n"), "{text}");
    assert!(
        text.contains("3 packages (3 deb); distro not detected; 1 warning"),
        "{text}"
    );
}
