//! Ruby gemspecs: the ones Debian's ruby packages install (`ruby`, `ruby-webrick`,
//! `ruby-net-telnet`, `ruby-xmlrpc`: `/usr/share/rubygems-integration/all/specifications`
//! and Ruby's default gems), and committed fixtures in RubyGems' generated shape. Names,
//! versions and licences must equal what RubyGems itself loads from each file.

mod lang_support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use lang_support::{catalog, find, require, run};
use rampart_image::catalogers::ruby::Ruby;

type Gem = (String, String, Vec<String>);

/// What `Gem::Specification.load` reads from every gemspec under `root`.
fn rubygems(root: &Path) -> BTreeSet<Gem> {
    require("ruby", "apt-get install ruby");
    let script = "require 'json'\n\
        files = Dir.glob(ARGV[0] + '/**/specifications/*.gemspec') + Dir.glob(ARGV[0] + '/**/specifications/default/*.gemspec')\n\
        out = files.filter_map do |f|\n\
          s = Gem::Specification.load(f)\n\
          s && s.name && [s.name, s.version.to_s, s.licenses]\n\
        end\n\
        puts JSON.generate(out)";
    let out = run(Command::new("ruby").args(["-e", script]).arg(root));
    serde_json::from_str::<Vec<Gem>>(&out)
        .unwrap()
        .into_iter()
        .collect()
}

fn ours(inv: &rampart_image::Inventory) -> BTreeSet<Gem> {
    inv.packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.licenses.clone()))
        .collect()
}

#[test]
fn debian_gemspecs_match_rubygems() {
    require("ruby", "apt-get install ruby");
    let debian = Path::new("/usr/share/rubygems-integration/all/specifications");
    let defaults = run(Command::new("ruby").args(["-e", "print Gem.default_specifications_dir"]));
    let defaults = Path::new(&defaults);
    assert!(
        debian.is_dir() && defaults.is_dir(),
        "Debian gemspecs are needed: apt-get install ruby ruby-webrick ruby-net-telnet ruby-xmlrpc"
    );
    let root = tempfile::tempdir().unwrap();
    let mut copied = 0;
    for (from, to) in [
        (debian, "usr/share/rubygems-integration/all/specifications"),
        (defaults, "usr/lib/ruby/gems/3/specifications/default"),
    ] {
        let to = root.path().join(to);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            copied += 1;
        }
    }
    assert!(copied >= 10, "only {copied} gemspecs");
    let inv = catalog(Ruby, root.path());
    assert!(inv.warnings.is_empty(), "{:#?}", inv.warnings);
    assert_eq!(ours(&inv), rubygems(root.path()));
    let webrick = find(&inv, "webrick");
    assert_eq!(webrick.purl, format!("pkg:gem/webrick@{}", webrick.version));
}

#[test]
fn fixture_gemspecs_match_rubygems() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/ruby");
    let inv = catalog(Ruby, &root);
    let expected = rubygems(&root);
    assert!(expected.len() >= 3, "{expected:?}");
    assert_eq!(ours(&inv), expected);
    assert_eq!(find(&inv, "multi_json").licenses, ["MIT", "Ruby"]);
    assert_eq!(find(&inv, "json").version, "2.6.1");
    // The gemspec without a name or version.
    assert_eq!(inv.warnings.len(), 1, "{:#?}", inv.warnings);
    assert_eq!(
        inv.warnings[0].path.as_deref(),
        Some("/usr/local/bundle/specifications/broken.gemspec")
    );
}
