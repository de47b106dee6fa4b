//! Strips one image file as an upload would be: `cargo run -p jangteo-media --example strip --
//! IN OUT [THUMB]` writes the stored bytes to OUT (and the thumbnail to THUMB), and prints what
//! was found. For checking real photos with another tool (`exiftool -a -G OUT`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(output)) = (args.first(), args.get(1)) else {
        eprintln!("usage: strip IN OUT [THUMB]");
        return ExitCode::FAILURE;
    };
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let bytes = std::fs::read(input)?;
        let clean = jangteo_media::strip_metadata(&bytes)?;
        println!(
            "{} {}x{} orientation {}: {} bytes in, {} out",
            clean.kind,
            clean.width,
            clean.height,
            clean.orientation,
            bytes.len(),
            clean.bytes.len()
        );
        std::fs::write(output, &clean.bytes)?;
        if let Some(path) = args.get(2) {
            match jangteo_media::thumbnail(&clean)? {
                Some(thumbnail) => std::fs::write(path, thumbnail)?,
                None => println!("no thumbnail ({} is not decoded here)", clean.kind),
            }
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
