//! Integration tests: the real binary, a real SQLite file, real HTTP over loopback.

mod ads;
mod config;
mod crash;
mod digest;
mod export;
mod faults;
mod ingest;
mod search;
mod stories;
mod topic_quality;
mod util;
