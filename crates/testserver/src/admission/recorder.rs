//! What admission plugins add to a request besides their verdict: `Warning` texts and audit
//! annotations. kube-apiserver's plugins write both into the request's context (the warning
//! recorder, the audit context); here the caller passes a [`Recorder`] and sends what it holds.
//!
//! Guarantees: texts and annotations keep the order the plugins recorded them in, and what a
//! plugin recorded before another refused the request stays recorded (the real server sends
//! those warnings with the refusal, and audits the annotations).

/// The warnings and audit annotations of one request's admission.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Recorder {
    warnings: Vec<String>,
    annotations: Vec<(String, String)>,
}

impl Recorder {
    /// `warning.AddWarning`: a `Warning` header text for the answer.
    pub(crate) fn warn(&mut self, text: String) {
        self.warnings.push(text);
    }

    /// `audit.AddAuditAnnotation`: an annotation of the request's audit event.
    pub(crate) fn annotate(&mut self, key: String, value: String) {
        self.annotations.push((key, value));
    }

    /// The warnings recorded, in order.
    #[cfg(test)]
    pub(crate) fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The audit annotations recorded, in order.
    #[cfg(test)]
    pub(crate) fn annotations(&self) -> &[(String, String)] {
        &self.annotations
    }

    /// The warnings and the annotations.
    pub(crate) fn into_parts(self) -> (Vec<String>, Vec<(String, String)>) {
        (self.warnings, self.annotations)
    }
}
