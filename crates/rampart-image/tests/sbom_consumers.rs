//! The SBOMs read by reference consumers: `cyclonedx-python-lib` (the CycloneDX
//! project's library: strict schema validation, then its object model and consistency
//! checks) and `spdx-tools` (`pyspdxtools`, the SPDX project's validator, which also checks
//! licence expressions and references).
//!
//! They are installed with pip into a virtual environment under the Cargo target
//! directory on first use (needs `python3` with the `venv` module, Debian package
//! `python3-venv`, and access to PyPI). RAMPART_SBOM_PYTHON may name a Python that already
//! has both packages instead. The test fails, saying what to install, when neither works.

mod sbom_fixture;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rampart_image::sbom::{self, DocumentId, Options, Timestamp};
use serde_json::Value;

const REQUIREMENTS: &[&str] = &[
    "cyclonedx-python-lib[json-validation]==11.12.0",
    "spdx-tools==0.8.5",
];

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("{cmd:?} failed ({}):\n{text}", out.status))
    }
}

/// The Python with the consumers installed (bin directory and interpreter).
fn python() -> &'static (PathBuf, PathBuf) {
    static PYTHON: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    PYTHON.get_or_init(|| {
        if let Some(p) = std::env::var_os("RAMPART_SBOM_PYTHON") {
            let p = PathBuf::from(p);
            let bin = p.parent().unwrap().to_path_buf();
            return (bin, p);
        }
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbom-consumers-venv");
        let bin = venv.join("bin");
        let py = bin.join("python");
        let marker = venv.join("rampart-requirements.txt");
        let wanted = REQUIREMENTS.join("\n");
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str()) {
            let setup = || -> Result<(), String> {
                run(Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv))?;
                run(Command::new(&py)
                    .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
                    .args(REQUIREMENTS))?;
                std::fs::write(&marker, &wanted).map_err(|e| e.to_string())
            };
            if let Err(e) = setup() {
                panic!(
                    "cannot install the SBOM consumers ({}) into {}: {e}\n\
                     Install python3 with the venv module (Debian: apt-get install python3-venv) \
                     and allow access to PyPI, or set RAMPART_SBOM_PYTHON to a Python that has \
                     these packages.",
                    REQUIREMENTS.join(", "),
                    venv.display()
                );
            }
        }
        (bin, py)
    })
}

fn write_docs(dir: &Path) -> (PathBuf, PathBuf) {
    let opts = Options {
        created: Timestamp::from_unix(1_700_000_000).unwrap(),
        document_id: DocumentId::FromContent,
    };
    let (inv, subject) = (sbom_fixture::inventory(), sbom_fixture::subject());
    let cdx = dir.join("image.cdx.json");
    let spdx = dir.join("image.spdx.json");
    let mut out = Vec::new();
    sbom::write_cyclonedx(&inv, &subject, &opts, &mut out).unwrap();
    std::fs::write(&cdx, out).unwrap();
    let mut out = Vec::new();
    sbom::write_spdx(&inv, &subject, &opts, &mut out).unwrap();
    std::fs::write(&spdx, out).unwrap();
    (cdx, spdx)
}

const CYCLONEDX_CHECK: &str = r#"
import json, sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.model.bom import Bom

text = open(sys.argv[1]).read()
errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
if errors:
    for e in errors:
        print("schema:", e)
    sys.exit(1)
bom = Bom.from_json(json.loads(text))
bom.validate()

def licence(l):
    if hasattr(l, "id") and l.id:
        return "id:" + l.id
    if hasattr(l, "name") and l.name:
        return "name:" + l.name
    return "expression:" + l.value

print(json.dumps({
    "serial": str(bom.serial_number),
    "image": {"type": bom.metadata.component.type.value, "purl": str(bom.metadata.component.purl)},
    "components": [
        {"name": c.name, "type": c.type.value, "purl": str(c.purl) if c.purl else None,
         "licenses": [licence(l) for l in c.licenses]}
        for c in bom.components
    ],
    "dependencies": {str(d.ref): [str(x.ref) for x in d.dependencies] for d in bom.dependencies},
}))
"#;

#[test]
fn cyclonedx_python_lib_accepts_the_cyclonedx_sbom() {
    let (_, py) = python();
    let dir = tempfile::tempdir().unwrap();
    let (cdx, _) = write_docs(dir.path());
    let out = run(Command::new(py).args(["-c", CYCLONEDX_CHECK]).arg(&cdx)).unwrap_or_else(|e| panic!("{e}"));
    let seen: Value =
        serde_json::from_str(out.lines().last().unwrap()).unwrap_or_else(|e| panic!("{e}: {out}"));
    let doc: Value = serde_json::from_slice(&std::fs::read(&cdx).unwrap()).unwrap();
    assert_eq!(
        format!("urn:uuid:{}", seen["serial"].as_str().unwrap()),
        doc["serialNumber"].as_str().unwrap()
    );
    assert_eq!(seen["image"]["type"], "container");
    let components = seen["components"].as_array().unwrap();
    assert_eq!(components.len(), sbom_fixture::packages().len() + 1);
    let find = |name: &str| {
        components
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(find("debian")["type"], "operating-system");
    assert_eq!(
        find("serde")["licenses"],
        serde_json::json!(["expression:MIT OR Apache-2.0"])
    );
    assert_eq!(
        find("libc6")["licenses"],
        serde_json::json!(["id:GPL-2.0-or-later", "id:LGPL-2.1-or-later"])
    );
    assert_eq!(
        find("acme-internal")["licenses"],
        serde_json::json!(["name:Custom license text"])
    );
    assert_eq!(find("@babel/core")["purl"], "pkg:npm/%40babel/core@7.23.2");
    // The consumer resolved the dependency graph: the image depends on every component.
    let deps = seen["dependencies"].as_object().unwrap();
    assert_eq!(deps["rampart:image"].as_array().unwrap().len(), components.len());
}

#[test]
fn pyspdxtools_validates_the_spdx_sbom() {
    let (bin, py) = python();
    let dir = tempfile::tempdir().unwrap();
    let (_, spdx) = write_docs(dir.path());
    let out =
        run(Command::new(bin.join("pyspdxtools")).arg("-i").arg(&spdx)).unwrap_or_else(|e| panic!("{e}"));
    // pyspdxtools exits 0 and logs nothing at its default level for a valid document.
    assert!(!out.contains("invalid") && !out.contains("ERROR"), "{out}");

    // The validator is not lenient: a LicenseRef without extracted licensing info and a
    // relationship to an unknown element are rejected.
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&spdx).unwrap()).unwrap();
    doc["packages"][2]["licenseDeclared"] = "LicenseRef-nowhere".into();
    doc["relationships"][1]["relatedSpdxElement"] = "SPDXRef-missing".into();
    let broken = dir.path().join("broken.spdx.json");
    std::fs::write(&broken, serde_json::to_vec(&doc).unwrap()).unwrap();
    let err = run(Command::new(bin.join("pyspdxtools")).arg("-i").arg(&broken)).unwrap_err();
    assert!(
        err.contains("LicenseRef-nowhere") && err.contains("SPDXRef-missing"),
        "{err}"
    );

    // Parsed by the library: the packages, relationships and licence expressions as
    // Rampart wrote them.
    let script = r#"
import json, sys
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
doc = parse_file(sys.argv[1])
print(json.dumps({
    "messages": [m.validation_message for m in validate_full_spdx_document(doc)],
    "packages": len(doc.packages),
    "relationships": sorted({r.relationship_type.name for r in doc.relationships}),
    "declared": {p.name + "/" + p.spdx_id.split("-")[2]: str(p.license_declared) for p in doc.packages if p.spdx_id.startswith("SPDXRef-Package-")},
    "extracted": sorted(e.license_id for e in doc.extracted_licensing_info),
}))
"#;
    let out = run(Command::new(py).args(["-c", script]).arg(&spdx)).unwrap_or_else(|e| panic!("{e}"));
    let seen: Value =
        serde_json::from_str(out.lines().last().unwrap()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(seen["messages"], serde_json::json!([]));
    assert_eq!(seen["packages"], sbom_fixture::packages().len() + 2);
    assert_eq!(
        seen["relationships"],
        serde_json::json!(["CONTAINS", "DESCRIBES"])
    );
    assert_eq!(
        seen["declared"]["chardet/python"],
        "GPL-2.0-or-later AND LicenseRef-BSD"
    );
    assert_eq!(seen["declared"]["serde/cargo"], "MIT OR Apache-2.0");
    assert_eq!(
        seen["declared"]["libstdc++6/deb"],
        "GPL-3.0-or-later WITH GCC-exception-3.1"
    );
    assert!(
        seen["extracted"]
            .as_array()
            .unwrap()
            .contains(&"LicenseRef-Custom-license-text".into())
    );
}
