//! `operator crd`: `Website::crd()` as YAML, the text of `examples/deploy/operator/crd.yaml`.

use super::website::Website;

/// The comment the YAML starts with.
const HEADER: &str = "# The Website CustomResourceDefinition, generated from the Rust type by
# `cargo run --example operator -- crd` (its tests check that this file is that output).
";

/// `Website::crd()` as a YAML document, with a header saying where it comes from.
pub(crate) fn crd_yaml() -> Result<String, Box<dyn std::error::Error>> {
    let mut crd = serde_json::to_value(Website::crd())?;
    crd["apiVersion"] = "apiextensions.k8s.io/v1".into();
    crd["kind"] = "CustomResourceDefinition".into();
    Ok(format!("{HEADER}{}", serde_saphyr::to_string(&crd)?))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The checked-in manifest is what `operator crd` prints: regenerate it with
    /// `cargo run --example operator -- crd > examples/deploy/operator/crd.yaml`
    /// (or run this test with `KUBESET_BLESS=1`).
    #[test]
    fn the_deployed_crd_is_the_generated_one() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/deploy/operator/crd.yaml");
        let generated = super::crd_yaml().unwrap();
        if std::env::var_os("KUBESET_BLESS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap();
        assert!(
            checked_in == generated,
            "{} is not `operator crd`'s output; regenerate it (see this test's docs)",
            path.display()
        );
    }

    /// It reads back as the CRD it was written from (a YAML writer that quoted badly would
    /// change a value).
    #[test]
    fn the_yaml_reads_back_as_the_crd() {
        let yaml = super::crd_yaml().unwrap();
        let read: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
        let mut crd = serde_json::to_value(super::Website::crd()).unwrap();
        crd["apiVersion"] = "apiextensions.k8s.io/v1".into();
        crd["kind"] = "CustomResourceDefinition".into();
        assert_eq!(read, crd);
    }
}
