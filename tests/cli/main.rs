//! Integration tests: the real binary, a real SQLite file, real HTTP over loopback.

mod crash;
mod export;
mod faults;
mod ingest;
mod util;
