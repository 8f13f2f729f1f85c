//! Version ordering for the schemes with no reference implementation among the test
//! tools (apk, Go, NuGet), and composer's rules spelled out: tables written from the
//! specifications and reference sources, each line `a op b` checked in both directions,
//! `! a` for non-versions.

mod versions_support;

use rampart_vuln::version::Scheme;
use versions_support::check_table;

#[test]
fn apk() {
    check_table(
        Scheme::Apk,
        "1.0",
        "
        1.0 < 1.0.1
        1.0 < 1.1
        0.9 < 1.0
        1.9 < 1.10
        2 > 1.99.99
        1.0 > 1                   # more components is newer
        1.0_alpha < 1.0_beta
        1.0_beta < 1.0_pre
        1.0_pre < 1.0_rc
        1.0_rc < 1.0
        1.0_rc1 < 1.0_rc2
        1.0_rc9 < 1.0_rc10
        1.0_alpha < 1.0_alpha1
        1.0 < 1.0_cvs
        1.0_cvs < 1.0_svn
        1.0_svn < 1.0_git
        1.0_git < 1.0_hg
        1.0_hg < 1.0_p
        1.0_p1 < 1.0_p2
        1.0_p1 < 1.0_p1_p2
        1.0_alpha < 1.0_alpha_p1
        1.0_alpha_p1 < 1.0_beta
        1.0 < 1.0-r1
        1.0-r1 < 1.0-r2
        1.0-r9 < 1.0-r10
        1.0-r10 < 1.0.1
        1.0_rc1 < 1.0_rc1-r1
        1.0_rc1-r1 < 1.0
        1.0 < 1.0a
        1.0a < 1.0b
        1.0z < 1.0.1
        1.0a < 1.0a_p1
        1.0a_rc1 < 1.0a
        1.01 < 1.1                # a leading zero compares as text
        1.01 < 1.010
        1.001 < 1.01
        1.05 < 1.5
        1.0 = 1.0
        1.00 > 1.0
        01.0 = 1.0                # the first number is always a number
        1.0~abc < 1.0~abd
        1.0~abc > 1.0
        1.0~abc > 1.0-r5          # a commit hash comes before the revision
        1.0_p1 > 1.0~abc
        1.2.3_rc1 > 1.2.2
        18446744073709551615 > 9
        ! 1.0-r
        ! 1.0-1
        ! 1.0_foo
        ! 1.0_
        ! 1.0_Alpha
        ! a1
        ! 1.0a.1
        ! 1.0aa
        ! 1.0a1
        ! 1.0~
        ! 1.0~xyz
        ! 1.0-r1-r2
        ! 1.0-r1_p1
        ! 1.0~abc_p1
        ! 1.0.A
        ! .1
        ! 1..0
        ! 1.0.
        ! 18446744073709551616
        ",
    );
}

#[test]
fn go() {
    check_table(
        Scheme::Go,
        "v1.0.0",
        "
        v1.2.3 < v1.2.4
        1.2.3 = v1.2.3
        v1.2 = v1.2.0
        v1 = v1.0.0
        v1.10.0 > v1.9.0
        v1.2.3-pre < v1.2.3
        v1.2.3-alpha < v1.2.3-alpha.1
        v1.2.3-alpha.1 < v1.2.3-alpha.beta
        v1.2.3-2 < v1.2.3-10
        v1.2.3-10 < v1.2.3-a
        v1.2.3-B < v1.2.3-a
        v2.0.0+incompatible = v2.0.0
        v2.0.0+incompatible > v1.9.9
        v1.2.3+meta.01 = v1.2.3
        v0.0.0-20191109021931-daa7c04131f5 < v0.0.0-20200101000000-aaaaaaaaaaaa
        v0.0.0-20191109021931-daa7c04131f5 < v0.0.1
        v1.2.4-0.20191109021931-daa7c04131f5 > v1.2.3
        v1.2.4-0.20191109021931-daa7c04131f5 < v1.2.4
        v1.2.4-pre.0.20191109021931-daa7c04131f5 > v1.2.4-pre
        v1.2.4-pre.0.20191109021931-daa7c04131f5 < v1.2.4
        v100000000000000000000.0.0 > v99999999999999999999.0.0
        go1.22.3 = 1.22.3
        go1.22.3 = v1.22.3
        go1.22rc1 = 1.22.0-rc.1
        go1.22rc1 < go1.22.0
        go1.21 < go1.21rc1        # the language version precedes its pre-releases
        go1.21rc1 < go1.21rc2
        go1.21rc2 < go1.21.0
        go1.21 = 1.21.0-0
        go1.21rc < go1.21rc1
        go1.20 = go1.20.0
        go1.20rc1 < go1.20
        go1.9beta1 < go1.9rc1
        go1.9alpha1 < go1.9beta1
        go1.9.2 < go1.10
        go1 = 1.0.0
        go1.21.0-bigcorp = go1.21.0
        1.22rc1 = go1.22rc1
        go1.22.3 > 1.22.0-0
        go1.22.0 > 1.22.0-0
        go2.0 > go1.99.99
        ! v1.2.3.4
        ! v01.2.3
        ! v1.02.3
        ! v1.2-pre
        ! v1.2+meta
        ! v1.2.3-01
        ! v1.2.3-
        ! v1.2.3+
        ! v1.2.3-a..b
        ! v1.2.3-a_b
        ! go1.21.0rc1
        ! go1.021
        ! go1.22RC1
        ! go
        ! gox
        ! 1.2.3beta
        ! v
        ! V1.2.3
        ",
    );
}

#[test]
fn nuget() {
    check_table(
        Scheme::NuGet,
        "1.0.0",
        "
        1.0 = 1.0.0
        1 = 1.0.0.0
        1.0.0.1 > 1.0.0
        1.0.0.1 < 1.0.1
        1.01 = 1.1
        1.0.0-beta < 1.0.0
        1.0.0-alpha < 1.0.0-beta
        1.0.0-Beta = 1.0.0-beta
        1.0.0-BETA.2 = 1.0.0-beta.2
        1.0.0-beta.2 < 1.0.0-beta.10
        1.0.0-beta.1 < 1.0.0-beta.a
        1.0.0-beta < 1.0.0-beta.1
        1.0.0-rc.1 > 1.0.0-beta.9
        1.0.0+abc = 1.0.0+def
        1.0.0-beta+abc = 1.0.0-beta
        1.0.0+001 = 1.0.0
        1.0.0-beta.-1 < 1.0.0-beta.0     # `-1` reads as an integer
        1.0.0-a.99999999999 > 1.0.0-a.5  # too big for an integer: a word
        1.0.0-a.99999999999 < 1.0.0-a.zzz
        1.0.0-A.b = 1.0.0-a.B
        1.0.0-a- < 1.0.0-a0              # case-insensitive ordinal: '-' before digits
        2147483647.0 > 2.0
        1.0.0.0-rc = 1.0.0-rc
        ! 2147483648.0
        ! 1.0.0.0.0
        ! 1.0.0-01
        ! 1.0.0-
        ! 1.0.0-beta..1
        ! 1.0.0+
        ! 1.0.0+a+b
        ! 1.0.0-beta_1
        ! 1.0.0-a_
        ! a.b
        ! 1..0
        ! -1.0
        ! 1.0.0-é
        ",
    );
}

#[test]
fn composer() {
    check_table(
        Scheme::Composer,
        "1.0.0",
        "
        1.0 = 1.0.0.0
        1 = 1.0.0
        v1.0.0 = 1.0.0
        V1.0.0 = 1.0.0
        1.0.0-stable = 1.0.0
        1.0.0-dev < 1.0.0-alpha
        1.0.0-alpha < 1.0.0-alpha1
        1.0.0-alpha1 < 1.0.0-alpha2
        1.0.0-a2 = 1.0.0-alpha2
        1.0.0-alpha2 < 1.0.0-beta1
        1.0.0-b1 = 1.0.0-beta1
        1.0.0-beta1 < 1.0.0-RC1
        1.0.0-rc1 = 1.0.0-RC1
        1.0.0RC1 = 1.0.0-RC1
        1.0.0-ALPHA1 = 1.0.0-alpha1
        1.0.0-RC1 < 1.0.0
        1.0.0 < 1.0.0-patch1
        1.0.0-p1 = 1.0.0-pl1
        1.0.0-pl1 = 1.0.0-patch1
        1.0.0-patch1 < 1.0.1
        1.0.0-beta.2 = 1.0.0-beta2
        1.0.0-beta-2 = 1.0.0b2
        1.0.0_beta2 = 1.0.0b2
        1.0.0-beta2-dev < 1.0.0-beta2
        1.0.0-beta2.dev > 1.0.0-beta1
        1.0.0-dev < 1.0.0
        1.0-dev = 1.0.0.0-dev
        1.0.0.0 < 1.0.0.1
        1.0.x-dev > 1.0.5
        1.x-dev > 1.99
        1.x-dev < 2.0.0-dev
        1.0.0+build.1 = 1.0.0
        1.0.0@stable = 1.0.0
        1.0.0-beta@beta = 1.0.0-beta
        1.0. = 1.0
        20100102 > 2010.01.03
        2010-01-02 < 2010.01.02       # PHP: the classical form has a fourth number
        1.0.0-STABLE < 1.0.0-dev      # only a lowercase stable is dropped; PHP ranks unknown words lowest
        99999.0 > 1.0
        ! dev-master
        ! dev-feature/x
        ! master
        ! trunk
        ! 1.0.0-foo
        ! 1.0.0.0.0
        ! 1.0-beta-foo
        ! x.y
        ! 1.0.x
        ! 1.y-dev
        ! 1.0.0+
        ! 1.0é
        ",
    );
}

#[test]
fn ecosystems_map_to_schemes() {
    let cases = [
        ("Debian:12", Some(Scheme::Dpkg)),
        ("Ubuntu:22.04:LTS", Some(Scheme::Dpkg)),
        ("Rocky Linux:9", Some(Scheme::Rpm)),
        ("Red Hat", Some(Scheme::Rpm)),
        ("Alpine:v3.20", Some(Scheme::Apk)),
        ("PyPI", Some(Scheme::Pep440)),
        ("npm", Some(Scheme::Semver)),
        ("crates.io", Some(Scheme::Semver)),
        ("Go", Some(Scheme::Go)),
        ("Maven", Some(Scheme::Maven)),
        ("RubyGems", Some(Scheme::RubyGems)),
        ("NuGet", Some(Scheme::NuGet)),
        ("Packagist", Some(Scheme::Composer)),
        ("pypi", None),
        ("Hackage", None),
        ("", None),
    ];
    for (ecosystem, want) in cases {
        assert_eq!(Scheme::for_ecosystem(ecosystem), want, "{ecosystem:?}");
    }
}
