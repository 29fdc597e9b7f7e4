//! RFC 8785 known answers: every input of the cyberphone/json-canonicalization test data gives
//! its expected output byte for byte.

use std::fs;
use std::path::Path;

#[test]
fn rfc8785_vectors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/rfc8785");
    let mut n = 0;
    for entry in fs::read_dir(dir.join("input")).unwrap() {
        let input = entry.unwrap().path();
        let name = input.file_name().unwrap();
        let expected = fs::read(dir.join("output").join(name)).unwrap();
        let got = zhengzhao_core::jcs::canonicalize(&fs::read(&input).unwrap()).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{name:?}"
        );
        // outhex holds the same bytes as hex: a second, independent statement of the answer.
        let hex = fs::read_to_string(dir.join("outhex").join(name).with_extension("txt")).unwrap();
        let from_hex: Vec<u8> = hex
            .split_whitespace()
            .map(|h| u8::from_str_radix(h, 16).unwrap())
            .collect();
        assert_eq!(got, from_hex, "{name:?} (outhex)");
        n += 1;
    }
    assert_eq!(n, 6);
}
