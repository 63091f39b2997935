//! Integration tests: the real binary, a real SQLite file, real HTTP over loopback.

mod faults;
mod ingest;
mod search;
mod util;
