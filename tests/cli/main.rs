//! Integration tests: the real binary, a real SQLite file, real HTTP over loopback.

mod ads;
mod cli_ux;
mod cli_ux2;
mod config;
#[path = "../support/corpus.rs"]
mod corpus;
mod crash;
mod digest;
mod editorial;
mod export;
mod faults;
mod html;
mod ingest;
mod llm;
mod mail;
mod parse_spec;
mod search;
mod stories;
mod topic_quality;
mod util;
mod watch;
