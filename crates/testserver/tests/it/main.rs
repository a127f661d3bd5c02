//! Integration tests of kubeset-testserver (one test binary).

mod replay;
