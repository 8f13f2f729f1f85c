//! Properties every scheme's ordering must have, on generated versions: a version equals
//! itself, swapping the arguments reverses the answer, and the order is transitive (so
//! it is a total order on valid versions). And no input at all makes a comparator panic.

use std::cmp::Ordering;

use proptest::prelude::*;
use rampart_vuln::version::{Scheme, compare};

const ALL: [Scheme; 10] = [
    Scheme::Dpkg,
    Scheme::Rpm,
    Scheme::Apk,
    Scheme::Pep440,
    Scheme::Semver,
    Scheme::Go,
    Scheme::Maven,
    Scheme::RubyGems,
    Scheme::NuGet,
    Scheme::Composer,
];

/// Version-like strings per scheme, from small alphabets so that near-equal versions
/// (the ones that find ordering bugs) are common.
fn pattern(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Dpkg => "([0-2]:)?[0-9]{1,2}([.+~][0-9a-c~]{1,2}){0,3}(-[0-9a-c.+~]{1,4})?",
        Scheme::Rpm => "([0-2]:)?[0-9a-c.~^_]{1,6}(-[0-9a-c.~^]{1,4})?",
        Scheme::Apk => {
            "[0-9]{1,2}(\\.[0-9]{1,2}){0,2}[a-b]?(_(alpha|beta|rc|p|git)[0-9]{0,1}){0,2}(~[0-9a-f]{1,2})?(-r[0-9]{1,2})?"
        }
        Scheme::Pep440 => {
            "v?([0-1]!)?[0-9]{1,2}(\\.[0-9]{1,2}){0,2}([-_.]?(a|b|rc|alpha|c)[-_.]?[0-9]{0,1})?([-_.]?post[0-9]{0,1}|-[0-9])?([-_.]?dev[0-9]{0,1})?(\\+[a-c0-9]{1,2}([-_.][a-c0-9]{1,2}){0,2})?"
        }
        Scheme::Semver => {
            "v?(0|[1-9])\\.(0|[1-9])\\.(0|[1-9]|1[0-9])(-[0-9a-cA-]{1,3}(\\.[0-9a-cA-]{1,3}){0,2})?(\\+[0-9a-z]{1,3})?"
        }
        Scheme::Go => {
            "v?(0|[1-9])(\\.(0|[1-9]|2[0-2])(\\.(0|[1-9])(-[0-9a-c-]{1,3}(\\.[0-9a-c-]{1,3}){0,2})?(\\+incompatible)?)?)?|go1(\\.(0|[1-9]|2[0-2])((\\.[0-9])|(alpha|beta|rc)[1-9]?)?)?"
        }
        // Maven itself is not transitive when a word meets a list that starts with a
        // list (`1-0alpha > 1-sp > 1 > 1-0alpha`; see `maven_keeps_mavens_own_cycle`), so
        // no `-0word` here.
        Scheme::Maven => {
            "[0-9]{1,2}(\\.[0-9]{1,2}){0,2}([-.]?(alpha|beta|milestone|rc|cr|ga|final|release|sp|snapshot|foo|a|b|m)([1-9][0-9]?)?)?(-[1-9])?"
        }
        Scheme::RubyGems => "[0-9]{1,2}(\\.[0-9a-cA]{1,2}){0,3}(-[0-9a-c-]{1,2}(\\.[0-9a-c-]{1,2}){0,2})?",
        Scheme::NuGet => {
            "[0-9]{1,2}(\\.[0-9]{1,2}){0,3}(-[0-9a-cA-]{1,3}(\\.[0-9a-cA-]{1,3}){0,2})?(\\+[0-9a-z]{1,3})?"
        }
        Scheme::Composer => {
            "v?[0-9]{1,2}(\\.[0-9]{1,2}){0,3}([._-]?(stable|beta|b|RC|rc|alpha|a|patch|pl|p)([.-]?[0-9]){0,2})?([.-]?dev)?|[0-9](\\.([0-9]|x)){0,3}-dev"
        }
    }
}

fn versions(scheme: Scheme) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(pattern(scheme), 5)
}

/// Checks reflexivity, antisymmetry and transitivity over every triple of `list` that
/// the scheme accepts; returns how many were valid.
fn check_order(scheme: Scheme, list: &[String]) -> Result<usize, TestCaseError> {
    let valid: Vec<&String> = list.iter().filter(|v| compare(scheme, v, v).is_some()).collect();
    for a in &valid {
        prop_assert_eq!(compare(scheme, a, a), Some(Ordering::Equal), "{:?} vs itself", a);
        for b in &valid {
            let ab = compare(scheme, a, b);
            let ba = compare(scheme, b, a);
            prop_assert!(ab.is_some(), "{:?} and {:?} are valid but not ordered", a, b);
            prop_assert_eq!(
                ab.map(Ordering::reverse),
                ba,
                "{:?} vs {:?} is not antisymmetric",
                a,
                b
            );
            for c in &valid {
                let bc = compare(scheme, b, c);
                let ac = compare(scheme, a, c);
                if ab != Some(Ordering::Greater) && bc != Some(Ordering::Greater) {
                    let want = if ab == Some(Ordering::Equal) && bc == Some(Ordering::Equal) {
                        Ordering::Equal
                    } else {
                        Ordering::Less
                    };
                    prop_assert_eq!(ac, Some(want), "{:?} <= {:?} <= {:?} is not transitive", a, b, c);
                }
            }
        }
    }
    Ok(valid.len())
}

macro_rules! order_properties {
    ($($name:ident => $scheme:expr),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(100))]
            $(
                #[test]
                fn $name(list in versions($scheme)) {
                    check_order($scheme, &list)?;
                }
            )*
        }
    };
}

order_properties! {
    dpkg_is_a_total_order => Scheme::Dpkg,
    rpm_is_a_total_order => Scheme::Rpm,
    apk_is_a_total_order => Scheme::Apk,
    pep440_is_a_total_order => Scheme::Pep440,
    semver_is_a_total_order => Scheme::Semver,
    go_is_a_total_order => Scheme::Go,
    maven_is_a_total_order => Scheme::Maven,
    rubygems_is_a_total_order => Scheme::RubyGems,
    nuget_is_a_total_order => Scheme::NuGet,
    composer_is_a_total_order => Scheme::Composer,
}

/// The generators must mostly make valid versions, or the properties prove little.
#[test]
fn generators_make_mostly_valid_versions() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for scheme in ALL {
        let strategy = pattern(scheme);
        let mut valid = 0;
        for _ in 0..400 {
            let v = strategy
                .new_tree(&mut runner)
                .expect("the pattern compiles")
                .current();
            valid += usize::from(compare(scheme, &v, &v).is_some());
        }
        assert!(
            valid > 200,
            "{scheme:?}: only {valid} of 400 generated versions are valid"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_input_panics(a in any::<String>(), b in "[0-9a-zA-Z.+~_:!^=@ -]{0,24}") {
        for scheme in ALL {
            let _ = compare(scheme, &a, &b);
            let _ = compare(scheme, &b, &a);
            let _ = compare(scheme, &b, &b);
        }
    }

    #[test]
    fn invalid_versions_are_never_ordered(a in any::<String>(), b in "[0-9a-z.]{1,8}") {
        for scheme in ALL {
            if compare(scheme, &a, &a).is_none() {
                prop_assert_eq!(compare(scheme, &a, &b), None);
                prop_assert_eq!(compare(scheme, &b, &a), None);
            }
        }
    }
}

/// Maven's own ordering has this cycle (checked against maven-artifact 3.8.7 when the
/// differential test was written); the comparator keeps it rather than invent an order
/// Maven does not have.
#[test]
fn maven_keeps_mavens_own_cycle() {
    let cmp = |a, b| compare(Scheme::Maven, a, b);
    assert_eq!(cmp("1-0alpha", "1-sp"), Some(Ordering::Greater));
    assert_eq!(cmp("1-sp", "1"), Some(Ordering::Greater));
    assert_eq!(cmp("1", "1-0alpha"), Some(Ordering::Greater));
}

/// Long and deeply nested inputs neither crash (a stack overflow is not a panic, it
/// aborts) nor take long.
#[test]
fn long_inputs_are_handled() {
    let inputs = [
        "1-".repeat(20_000) + "1",
        "1.".repeat(20_000) + "1",
        "1a".repeat(20_000),
        "~".repeat(40_000),
        "9".repeat(40_000),
        format!("1.0-{}", "a.".repeat(20_000)),
        format!("1.0_p{}", "_p1".repeat(12_000)),
    ];
    let started = std::time::Instant::now();
    for scheme in ALL {
        for input in &inputs {
            let _ = compare(scheme, input, input);
            let _ = compare(scheme, input, "1.0");
        }
    }
    assert_eq!(compare(Scheme::Maven, &inputs[0], "1"), None, "nesting is capped");
    assert!(
        started.elapsed().as_secs() < 20,
        "long inputs took {:?}",
        started.elapsed()
    );
}
