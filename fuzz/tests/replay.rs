//! Replays every kept fuzz input (the seed corpora and the inputs that once crashed) through the
//! same functions the fuzzer runs, so CI checks them without a fuzzer. Folders:
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`.

use std::path::Path;

#[test]
fn every_kept_input_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut replayed = 0;
    for (name, target) in leanix_fuzz::TARGETS {
        for kind in ["corpus", "regressions"] {
            let dir = root.join(kind).join(name);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            files.sort();
            for file in files.into_iter().filter(|f| f.is_file()) {
                let data = std::fs::read(&file).unwrap();
                let outcome = std::panic::catch_unwind(|| target(&data));
                assert!(outcome.is_ok(), "{name}: {} fails", file.display());
                replayed += 1;
            }
        }
    }
    assert!(
        replayed >= leanix_fuzz::TARGETS.len(),
        "no inputs found under {}",
        root.display()
    );
    println!("replayed {replayed} inputs");
}

#[test]
fn edge_inputs() {
    let long = vec![b'a'; 1 << 20];
    let edges: [&[u8]; 8] = [
        b"",
        b"\0",
        b"\xff\xfe",
        b"{",
        b"{\"access_token\":\"\\u0000\"}",
        b"a.b.c",
        b"\x01http://127.0.0.1:1\n//evil.example/x",
        &long,
    ];
    for (_, target) in leanix_fuzz::TARGETS {
        for input in edges {
            target(input);
        }
    }
}
