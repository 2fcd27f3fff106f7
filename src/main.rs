//! The certbench binary: parse the command line, then hand over to the CLI or the TUI.

fn main() {
    std::process::exit(certbench::main());
}
