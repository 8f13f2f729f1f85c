//! Properties of the purl matcher and the VEX reader on generated input: a purl built by
//! the catalogers' own builder is covered by itself, by itself without version, and by
//! itself with its qualifiers in any order, and not by another name or version; and no
//! input makes the purl, timestamp or document readers panic.

use proptest::prelude::*;
use rampart_image::PackageType;
use rampart_image::package::purl;
use rampart_vuln::policy::{Purl, purl_matches};
use rampart_vuln::vex::{self, Timestamp};

const KINDS: [PackageType; 4] = [
    PackageType::Deb,
    PackageType::Npm,
    PackageType::Python,
    PackageType::Go,
];

proptest! {
    #[test]
    fn built_purls_cover_themselves(
        kind in 0..KINDS.len(),
        namespace in proptest::option::of("[a-z@.]{1,6}(/[a-z]{1,4})?"),
        name in "[a-z][a-z0-9.+_-]{0,8}",
        version in "[0-9][0-9a-z.:~+-]{0,8}",
        other in "[0-9][0-9a-z.:~+-]{0,8}",
        arch in "[a-z0-9_]{1,6}",
        distro in "[a-z0-9-]{1,8}",
    ) {
        let kind = KINDS[kind];
        let ns = namespace.as_deref();
        let full = purl(kind, ns, &name, &version, &[("arch", &arch), ("distro", &distro)]);
        prop_assert!(purl_matches(&full, &full), "{}", full);
        let bare = purl(kind, ns, &name, "", &[]);
        prop_assert!(purl_matches(&bare, &full), "{} {}", bare, full);
        // Qualifiers written in the other order.
        let swapped = format!("{}?distro={}&arch={}", purl(kind, ns, &name, &version, &[]), distro, arch);
        prop_assert!(purl_matches(&swapped, &full), "{} {}", swapped, full);
        let parsed = Purl::parse(&full).unwrap();
        prop_assert_eq!(parsed.version.as_deref(), Some(version.as_str()));
        if other != version {
            let wrong = purl(kind, ns, &name, &other, &[]);
            prop_assert!(!purl_matches(&wrong, &full), "{} {}", wrong, full);
        }
        let renamed = purl(kind, ns, &format!("{name}x"), "", &[]);
        prop_assert!(!purl_matches(&renamed, &full), "{} {}", renamed, full);
    }

    #[test]
    fn readers_never_panic(s in "\\PC{0,80}", bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Purl::parse(&s);
        let _ = Timestamp::parse(&s);
        let _ = vex::parse(s.as_bytes(), "x.json");
        let _ = vex::parse(&bytes, "x.json");
    }

    #[test]
    fn documents_with_generated_fields_never_panic(
        status in "(not_affected|affected|fixed|under_investigation|[a-z_]{0,6})",
        id in "\\PC{0,12}",
        time in "[0-9T:.Z+-]{0,26}",
    ) {
        let doc = serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.test/d",
            "author": "a",
            "timestamp": "2030-01-01T00:00:00Z",
            "statements": [{
                "vulnerability": {"name": id},
                "products": [{"@id": id, "subcomponents": [id]}],
                "status": status,
                "timestamp": time,
                "justification": "component_not_present",
            }],
        });
        let _ = vex::parse(doc.to_string().as_bytes(), "g.json");
    }
}
