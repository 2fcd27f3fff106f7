//! The README is part of the contract: it names every diagnosis kind that `--json` can print.

use engine::diagnose::kind::DiagnosisKind;
use strum::IntoEnumIterator;

#[test]
fn the_readme_lists_every_diagnosis_kind() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let missing: Vec<&str> = DiagnosisKind::iter()
        .filter(|k| *k != DiagnosisKind::Other)
        .map(DiagnosisKind::as_str)
        .filter(|name| !readme.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "kinds missing from the README: {missing:?}"
    );
}
