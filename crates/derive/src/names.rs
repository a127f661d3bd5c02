//! The resource names a kind gets by default, pluralized the way kube-rs and kubectl do.

/// The default plural of a lowercased kind: `-es` after s, x, z, ch and sh; `-ies` for a `y`
/// after a consonant; `-s` otherwise (`foo` → `foos`, `policy` → `policies`, `box` → `boxes`).
pub(crate) fn plural(singular: &str) -> String {
    if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|end| singular.ends_with(end))
    {
        return format!("{singular}es");
    }
    if let Some(stem) = singular.strip_suffix('y')
        && stem
            .chars()
            .last()
            .is_some_and(|c| !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u'))
    {
        return format!("{stem}ies");
    }
    format!("{singular}s")
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[track_caller]
    fn check(singular: &str, expected: &str) {
        assert_eq!(plural(singular), expected);
    }

    #[test]
    fn plurals() {
        check("foo", "foos");
        check("policy", "policies");
        check("gateway", "gateways");
        check("box", "boxes");
        check("ingress", "ingresses");
        check("batch", "batches");
        check("mesh", "meshes");
        check("quiz", "quizes");
        check("y", "ys");
    }
}
