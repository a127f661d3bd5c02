//! kubeset-testserver (work in progress).
