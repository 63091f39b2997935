//! Integration tests: the real binary, a real SQLite file, real HTTP over loopback.

mod crash;
mod faults;
mod ingest;
mod stories;
mod util;
