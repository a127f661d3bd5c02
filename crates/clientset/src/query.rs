//! The query string of a request.

/// A query string under construction (percent-encoded as `application/x-www-form-urlencoded`).
pub(crate) struct Query {
    url: String,
    has_query: bool,
}

impl Query {
    pub(crate) fn new(path: String) -> Self {
        Self {
            url: path,
            has_query: false,
        }
    }
    pub(crate) fn push(&mut self, key: &str, value: &str) {
        self.url.push(if self.has_query { '&' } else { '?' });
        self.has_query = true;
        self.url
            .extend(form_urlencoded::byte_serialize(key.as_bytes()));
        self.url.push('=');
        self.url
            .extend(form_urlencoded::byte_serialize(value.as_bytes()));
    }
    pub(crate) fn push_opt(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.push(key, value);
        }
    }
    pub(crate) fn push_num(&mut self, key: &str, value: Option<impl ToString>) {
        if let Some(value) = value {
            self.push(key, &value.to_string());
        }
    }
    pub(crate) fn push_flag(&mut self, key: &str, on: bool) {
        if on {
            self.push(key, "true");
        }
    }
    pub(crate) fn finish(self) -> String {
        self.url
    }
}
