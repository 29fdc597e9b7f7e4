//! Identifier properties: real identifiers pass; every single-character substitution and every
//! adjacent transposition of them is refused with a reason; generated identifiers round-trip.

use proptest::prelude::*;
use zhengzhao_core::identifier::{check_char, IdError, LicenceId, Strictness, TypeCode};
use zhengzhao_core::{Coded, ErrorCode};

const REAL: [&str; 2] = [
    "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
];

/// Every character an identifier can contain, and a few it cannot.
const ALPHABET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.a-";

/// Strict parsing refuses `s` with a reason; lenient parsing refuses it too, or accepts it only
/// with a warning (the MOD 37,36 check misses some adjacent transpositions, which then show up as
/// a 统一社会信用代码 failing its GB 32100 check, which lenient mode tolerates but reports).
fn refused(s: &str) -> Vec<IdError> {
    let strict = LicenceId::parse(s).expect_err(&format!("strict accepted {s}"));
    match LicenceId::parse_with(s, Strictness::Lenient) {
        Err(e) => vec![strict, e],
        Ok(id) => {
            assert!(
                !id.leniencies().is_empty(),
                "lenient accepted {s} without a warning"
            );
            vec![strict]
        }
    }
}

#[test]
fn real_identifiers_are_valid_in_both_modes() {
    for s in REAL {
        assert_eq!(LicenceId::parse(s).unwrap().to_string(), s);
        assert_eq!(
            LicenceId::parse_with(s, Strictness::Lenient)
                .unwrap()
                .to_string(),
            s
        );
    }
}

#[test]
fn every_single_substitution_is_refused_with_a_reason() {
    let mut n = 0;
    for s in REAL {
        for (i, orig) in s.char_indices() {
            for c in ALPHABET.chars().filter(|&c| c != orig) {
                let mut t = s.to_owned();
                t.replace_range(i..i + 1, c.encode_utf8(&mut [0; 4]));
                for e in refused(&t) {
                    assert!(!e.to_string().is_empty());
                    assert!(ErrorCode::ALL.contains(&e.code()));
                }
                n += 1;
            }
        }
    }
    assert!(n > 4000, "{n} substitutions tried");
}

#[test]
fn every_adjacent_transposition_is_refused_with_a_reason() {
    let mut n = 0;
    for s in REAL {
        let b = s.as_bytes();
        for i in 0..b.len() - 1 {
            if b[i] == b[i + 1] {
                continue;
            }
            let mut t = b.to_vec();
            t.swap(i, i + 1);
            let t = String::from_utf8(t).unwrap();
            refused(&t);
            n += 1;
        }
    }
    assert_eq!(n, 91, "distinct adjacent swaps of the two identifiers");
}

#[test]
fn a_wrong_check_character_names_the_expected_one() {
    let e = LicenceId::parse(&REAL[1].replace(".U", ".V")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdCheck);
    assert_eq!(e.to_string(), "check character is 'V', expected 'U'");
}

fn uscc() -> impl Strategy<Value = String> {
    "[0-9A-HJ-NP-RTUW-Y]{17}".prop_map(|s| {
        zhengzhao_core::codes::Uscc::complete(&s)
            .unwrap()
            .to_string()
    })
}

fn parts() -> impl Strategy<Value = (TypeCode, String, String, u16)> {
    (uscc(), 0u16..1000, uscc(), "[0-9A-Z]{7,32}", 1u16..1000).prop_map(
        |(a, seq, issuer, serial, v)| {
            (
                TypeCode::parse(&format!("{a}{seq:03}")).unwrap(),
                issuer,
                serial,
                v,
            )
        },
    )
}

proptest! {
    #[test]
    fn generated_identifiers_round_trip((t, issuer, serial, v) in parts()) {
        let id = LicenceId::new(&t, &issuer, &serial, v).unwrap();
        prop_assert_eq!(LicenceId::parse(id.as_ref()).unwrap(), id.clone());
        prop_assert_eq!(id.check(), check_char(&[t.as_ref(), &issuer, &serial, &format!("{v:03}")]));
    }

    #[test]
    fn generated_identifiers_catch_substitutions((t, issuer, serial, v) in parts(), pos in any::<prop::sample::Index>(), c in "[0-9A-Z]") {
        let id = LicenceId::new(&t, &issuer, &serial, v).unwrap();
        let s = id.to_string();
        let i = pos.index(s.len());
        prop_assume!(&s[i..i + 1] != c.as_str() && &s[i..i + 1] != ".");
        let mut m = s.clone();
        m.replace_range(i..i + 1, &c);
        prop_assert!(LicenceId::parse_with(&m, Strictness::Lenient).is_err(), "{} accepted", m);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,120}") {
        let _ = LicenceId::parse_with(&s, Strictness::Lenient);
        let _ = LicenceId::parse(&s);
    }
}
