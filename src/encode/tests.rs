use std::io::Cursor;
use std::path::{Path, PathBuf};

use super::atomic_write::tests_hook;
use super::*;

const ALL_SPEEDS: [Speed; 3] = [Speed::Fast, Speed::Balanced, Speed::Best];

/// A small chart-like image: a dark background, a grid line, coloured bars, and a band of
/// pseudo-random pixels so that no codec gets away with a trivially flat input. With
/// `channels == 4` the alpha varies too, including fully transparent pixels whose colour is not
/// black: those must survive a lossless round trip.
fn test_image(width: u32, height: u32, channels: u8) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let mut next_random = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };

    let mut data = Vec::with_capacity((width * height * u32::from(channels)) as usize);
    for y in 0..height {
        for x in 0..width {
            let rgba: [u8; 4] = if y == height / 2 {
                [128, 128, 128, 255]
            } else if x % 7 == 3 {
                [38, 166, 154, (x * 37 % 256) as u8]
            } else if y < 3 {
                let noise = next_random().to_le_bytes();
                [noise[0], noise[1], noise[2], noise[3]]
            } else if x == 0 {
                [200, 10, 20, 0]
            } else {
                [19, 23, 34, 255]
            };
            data.extend_from_slice(&rgba[..usize::from(channels)]);
        }
    }
    data
}

fn pixels(data: &[u8], width: u32, height: u32, channels: u8) -> Pixels<'_> {
    Pixels {
        data,
        width,
        height,
        channels,
    }
}

fn encode_to_vec(pixels: Pixels<'_>, format: ImageFormat, speed: Speed) -> Vec<u8> {
    let mut out = Vec::new();
    encode(
        pixels,
        &EncodeOptions {
            format,
            speed,
            quality: None,
        },
        &mut out,
    )
    .unwrap_or_else(|error| panic!("{format:?} at {speed:?} failed: {error}"));
    out
}

fn expect_invalid(result: Result<()>, needle: &str) {
    match result {
        Err(Error::InvalidValue(message)) => {
            assert!(
                message.contains(needle),
                "message {message:?} lacks {needle:?}"
            )
        }
        other => panic!("expected InvalidValue mentioning {needle:?}, got {other:?}"),
    }
}

#[test]
fn format_names_round_trip_and_ignore_case() {
    for format in [
        ImageFormat::Png,
        ImageFormat::WebP,
        ImageFormat::Jpeg,
        ImageFormat::Bmp,
        ImageFormat::Tiff,
    ] {
        assert_eq!(ImageFormat::from_name(format.name()), Some(format));
    }
    assert_eq!(ImageFormat::from_name("JPG"), Some(ImageFormat::Jpeg));
    assert_eq!(ImageFormat::from_name("Tif"), Some(ImageFormat::Tiff));
    assert_eq!(ImageFormat::from_name("WebP"), Some(ImageFormat::WebP));
    assert_eq!(ImageFormat::from_name(".png"), None);
    assert_eq!(ImageFormat::from_name("gif"), None);
    assert_eq!(ImageFormat::from_name(""), None);
}

#[test]
fn speed_names() {
    assert_eq!(Speed::from_name("fast"), Some(Speed::Fast));
    assert_eq!(Speed::from_name("Balanced"), Some(Speed::Balanced));
    assert_eq!(Speed::from_name("BEST"), Some(Speed::Best));
    assert_eq!(Speed::from_name("fastest"), None);
}

#[test]
fn bad_pixel_buffers_are_rejected_before_encoding() {
    let options = EncodeOptions {
        format: ImageFormat::Png,
        speed: Speed::Fast,
        quality: None,
    };
    let mut out = Vec::new();

    let data = vec![0u8; 2 * 2 * 2];
    expect_invalid(encode(pixels(&data, 2, 2, 2), &options, &mut out), "got 2");
    expect_invalid(encode(pixels(&[], 0, 2, 3), &options, &mut out), "width 0");
    expect_invalid(encode(pixels(&[], 2, 0, 4), &options, &mut out), "height 0");

    let short = vec![0u8; 2 * 2 * 3 - 1];
    expect_invalid(
        encode(pixels(&short, 2, 2, 3), &options, &mut out),
        "has 11 bytes",
    );
    let long = vec![0u8; 2 * 2 * 4 + 1];
    expect_invalid(
        encode(pixels(&long, 2, 2, 4), &options, &mut out),
        "needs 16",
    );
}

#[test]
fn quality_outside_1_to_100_is_rejected() {
    let data = test_image(4, 4, 3);
    let mut out = Vec::new();
    for quality in [0, 101, 255] {
        for format in [ImageFormat::Jpeg, ImageFormat::WebP, ImageFormat::Png] {
            let options = EncodeOptions {
                format,
                speed: Speed::Balanced,
                quality: Some(quality),
            };
            expect_invalid(
                encode(pixels(&data, 4, 4, 3), &options, &mut out),
                &format!("got {quality}"),
            );
        }
    }
}

#[test]
fn images_too_large_for_the_format_are_rejected() {
    let wide_webp = vec![0u8; 16384 * 3];
    let options = EncodeOptions {
        format: ImageFormat::WebP,
        speed: Speed::Fast,
        quality: None,
    };
    expect_invalid(
        encode(pixels(&wide_webp, 16384, 1, 3), &options, &mut Vec::new()),
        "16383",
    );

    let tall_jpeg = vec![0u8; 65536 * 3];
    let options = EncodeOptions {
        format: ImageFormat::Jpeg,
        speed: Speed::Fast,
        quality: None,
    };
    expect_invalid(
        encode(pixels(&tall_jpeg, 1, 65536, 3), &options, &mut Vec::new()),
        "65535",
    );
}

#[test]
fn the_output_buffer_is_cleared_and_reused() {
    let data = test_image(31, 17, 4);
    for format in [
        ImageFormat::Png,
        ImageFormat::WebP,
        ImageFormat::Jpeg,
        ImageFormat::Bmp,
        ImageFormat::Tiff,
    ] {
        let fresh = encode_to_vec(pixels(&data, 31, 17, 4), format, Speed::Balanced);
        let mut reused = vec![0xAB; 100_000];
        let options = EncodeOptions {
            format,
            speed: Speed::Balanced,
            quality: None,
        };
        encode(pixels(&data, 31, 17, 4), &options, &mut reused).unwrap();
        assert_eq!(
            reused, fresh,
            "{format:?} output depends on the old buffer contents"
        );
    }
}

fn decode_png(file: &[u8]) -> (u32, u32, ::png::ColorType, Vec<u8>) {
    let mut reader = ::png::Decoder::new(Cursor::new(file)).read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buffer).unwrap();
    buffer.truncate(frame.buffer_size());
    (frame.width, frame.height, frame.color_type, buffer)
}

#[test]
fn png_round_trips_exactly() {
    for (channels, color) in [(3, ::png::ColorType::Rgb), (4, ::png::ColorType::Rgba)] {
        let data = test_image(37, 23, channels);
        for speed in ALL_SPEEDS {
            let file = encode_to_vec(pixels(&data, 37, 23, channels), ImageFormat::Png, speed);
            assert_eq!(
                decode_png(&file),
                (37, 23, color, data.clone()),
                "{speed:?}"
            );
        }
    }
}

fn decode_webp(file: &[u8]) -> (u32, u32, bool, Vec<u8>) {
    let mut decoder = image_webp::WebPDecoder::new(Cursor::new(file)).unwrap();
    let (width, height) = decoder.dimensions();
    let mut buffer = vec![0; decoder.output_buffer_size().unwrap()];
    decoder.read_image(&mut buffer).unwrap();
    (width, height, decoder.has_alpha(), buffer)
}

#[test]
fn webp_round_trips_exactly_at_every_speed() {
    for channels in [3, 4] {
        let data = test_image(41, 19, channels);
        for speed in ALL_SPEEDS {
            let file = encode_to_vec(pixels(&data, 41, 19, channels), ImageFormat::WebP, speed);
            assert_eq!(&file[..4], b"RIFF");
            assert_eq!(&file[8..16], b"WEBPVP8L", "{speed:?} is not lossless");
            assert_eq!(
                decode_webp(&file),
                (41, 19, channels == 4, data.clone()),
                "{speed:?} with {channels} channels"
            );
        }
    }
}

#[test]
fn opaque_rgba_webp_still_says_it_has_alpha() {
    let data: Vec<u8> = test_image(16, 16, 3)
        .chunks(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    for speed in ALL_SPEEDS {
        let file = encode_to_vec(pixels(&data, 16, 16, 4), ImageFormat::WebP, speed);
        let (_, _, has_alpha, decoded) = decode_webp(&file);
        assert!(has_alpha, "{speed:?} dropped the alpha flag");
        assert_eq!(decoded, data);
    }
}

#[test]
fn webp_quality_changes_libwebp_effort_but_not_pixels() {
    let data = test_image(64, 48, 4);
    let encode_with = |quality| {
        let options = EncodeOptions {
            format: ImageFormat::WebP,
            speed: Speed::Best,
            quality,
        };
        let mut out = Vec::new();
        encode(pixels(&data, 64, 48, 4), &options, &mut out).unwrap();
        out
    };
    let low_effort = encode_with(Some(1));
    let high_effort = encode_with(Some(100));
    assert_ne!(low_effort, high_effort, "quality did not reach libwebp");
    assert_eq!(decode_webp(&low_effort).3, data);
    assert_eq!(decode_webp(&high_effort).3, data);
}

/// Reads back the BMP files `encode_bmp` writes, checking each header field on the way.
fn decode_bmp(file: &[u8]) -> (u32, u32, u8, Vec<u8>) {
    let u16_at = |at: usize| u16::from_le_bytes(file[at..at + 2].try_into().unwrap());
    let u32_at = |at: usize| u32::from_le_bytes(file[at..at + 4].try_into().unwrap());

    assert_eq!(&file[..2], b"BM");
    assert_eq!(u32_at(2) as usize, file.len());
    let pixel_offset = u32_at(10) as usize;
    let header_len = u32_at(14);
    let width = u32_at(18);
    let height = u32_at(22);
    assert!(height as i32 > 0, "rows must be stored bottom-up");
    assert_eq!(u16_at(26), 1);
    let channels = (u16_at(28) / 8) as u8;
    assert_eq!(pixel_offset, 14 + header_len as usize);

    if channels == 4 {
        assert_eq!(header_len, 108);
        assert_eq!(u32_at(30), 3, "RGBA must use BI_BITFIELDS");
        assert_eq!(
            [u32_at(54), u32_at(58), u32_at(62), u32_at(66)],
            [0x00ff_0000, 0x0000_ff00, 0x0000_00ff, 0xff00_0000]
        );
        assert_eq!(&file[70..74], b"BGRs", "colour space should be sRGB");
    } else {
        assert_eq!((header_len, channels, u32_at(30)), (40, 3, 0));
    }

    let stride = (width as usize * usize::from(channels)).div_ceil(4) * 4;
    assert_eq!(u32_at(34) as usize, stride * height as usize);
    assert_eq!(file.len(), pixel_offset + stride * height as usize);

    let mut data = Vec::new();
    for stored in file[pixel_offset..].chunks_exact(stride).rev() {
        let row = &stored[..width as usize * usize::from(channels)];
        assert!(stored[row.len()..].iter().all(|&padding| padding == 0));
        for bgr in row.chunks_exact(usize::from(channels)) {
            data.extend_from_slice(&[bgr[2], bgr[1], bgr[0]]);
            if channels == 4 {
                data.push(bgr[3]);
            }
        }
    }
    (width, height, channels, data)
}

#[test]
fn bmp_round_trips_exactly_with_row_padding() {
    // Widths 1, 2 and 5 give RGB rows of 3, 6 and 15 bytes: every amount of padding.
    for width in [1, 2, 4, 5] {
        for channels in [3, 4] {
            let data = test_image(width, 6, channels);
            let file = encode_to_vec(
                pixels(&data, width, 6, channels),
                ImageFormat::Bmp,
                Speed::Fast,
            );
            assert_eq!(
                decode_bmp(&file),
                (width, 6, channels, data),
                "width {width}"
            );
        }
    }
}

fn decode_tiff(file: &[u8]) -> (u32, u32, ::tiff::ColorType, Vec<u8>) {
    let mut decoder = ::tiff::decoder::Decoder::new(Cursor::new(file)).unwrap();
    let (width, height) = decoder.dimensions().unwrap();
    let color = decoder.colortype().unwrap();
    match decoder.read_image().unwrap() {
        ::tiff::decoder::DecodingResult::U8(data) => (width, height, color, data),
        _ => panic!("TIFF decoded to samples that are not 8-bit"),
    }
}

#[test]
fn tiff_round_trips_exactly() {
    for (channels, color) in [
        (3, ::tiff::ColorType::RGB(8)),
        (4, ::tiff::ColorType::RGBA(8)),
    ] {
        let data = test_image(29, 31, channels);
        for speed in ALL_SPEEDS {
            let file = encode_to_vec(pixels(&data, 29, 31, channels), ImageFormat::Tiff, speed);
            assert_eq!(
                decode_tiff(&file),
                (29, 31, color, data.clone()),
                "{speed:?}"
            );
        }
    }
}

#[test]
fn compositing_on_white_matches_pillow() {
    // Values computed with Pillow 13's RGB.paste(rgba, mask=alpha) on a white canvas.
    assert_eq!(composite_on_white(51, 64), 204);
    assert_eq!(composite_on_white(0, 128), 127);
    assert_eq!(composite_on_white(0, 127), 128);
    assert_eq!(composite_on_white(100, 200), 133);
    assert_eq!(composite_on_white(254, 1), 255);
    for channel in [0, 1, 77, 254, 255] {
        assert_eq!(composite_on_white(channel, 255), channel);
        assert_eq!(composite_on_white(channel, 0), 255);
    }
}

fn decode_jpeg(file: &[u8]) -> Vec<u8> {
    let mut decoder = zune_jpeg::JpegDecoder::new(Cursor::new(file));
    decoder.decode().unwrap()
}

#[test]
fn jpeg_of_rgba_is_composited_onto_white() {
    // Three flat 16x16 blocks (one JPEG block each at quality 95, no chroma subsampling), so
    // compression error stays tiny and the decoded colour shows what was encoded. Flat blocks
    // also give the one-symbol Huffman tables that zune-jpeg misreads in baseline files, so this
    // fails if the encoder stops writing progressive JPEG.
    let blocks: [[u8; 4]; 3] = [[51, 51, 51, 64], [200, 30, 40, 0], [10, 120, 250, 255]];
    let (width, height) = (48u32, 16u32);
    let mut data = Vec::new();
    for _ in 0..height {
        for x in 0..width {
            data.extend_from_slice(&blocks[(x / 16) as usize]);
        }
    }

    let file = encode_to_vec(
        pixels(&data, width, height, 4),
        ImageFormat::Jpeg,
        Speed::Fast,
    );
    assert_eq!(&file[..2], &[0xFF, 0xD8], "missing start-of-image marker");
    assert_eq!(
        &file[file.len() - 2..],
        &[0xFF, 0xD9],
        "missing end-of-image marker"
    );

    let decoded = decode_jpeg(&file);
    assert_eq!(decoded.len(), (width * height * 3) as usize);
    let expected: [[u8; 3]; 3] = [[204, 204, 204], [255, 255, 255], [10, 120, 250]];
    for (index, pixel) in decoded.chunks_exact(3).enumerate() {
        let want = expected[(index as u32 % width / 16) as usize];
        for (got, want) in pixel.iter().zip(want) {
            assert!(
                got.abs_diff(want) <= 3,
                "pixel {index}: got {pixel:?}, expected {want:?}"
            );
        }
    }
}

#[test]
fn jpeg_quality_is_applied() {
    let data = test_image(64, 64, 3);
    let encode_with = |quality| {
        let options = EncodeOptions {
            format: ImageFormat::Jpeg,
            speed: Speed::Fast,
            quality,
        };
        let mut out = Vec::new();
        encode(pixels(&data, 64, 64, 3), &options, &mut out).unwrap();
        out
    };
    let default = encode_with(None);
    assert_eq!(
        default,
        encode_with(Some(95)),
        "the default quality is not 95"
    );
    assert!(encode_with(Some(10)).len() < default.len());
    assert_eq!(decode_jpeg(&default).len(), 64 * 64 * 3);
}

/// A fresh directory for one test, removed with everything in it when dropped.
struct TestDir(PathBuf);

impl TestDir {
    fn new(name: &str) -> TestDir {
        let path =
            std::env::temp_dir().join(format!("kimsfinance-encode-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TestDir(path)
    }

    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn expect_io_error_naming(result: Result<()>, path: &Path) {
    match result {
        Err(error @ Error::Io { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains(&path.display().to_string()),
                "{message:?} lacks the path"
            );
        }
        other => panic!("expected an Io error, got {other:?}"),
    }
}

#[test]
fn write_atomic_writes_and_replaces_files() {
    let dir = TestDir::new("replace");
    let target = dir.0.join("chart.png");

    write_atomic(&target, b"first").unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"first");
    write_atomic(&target, b"second, longer").unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"second, longer");
    write_atomic(&target, b"").unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"");

    assert_eq!(
        dir.entries(),
        ["chart.png"],
        "a temporary file was left behind"
    );
}

#[test]
fn write_atomic_into_a_missing_directory_fails_cleanly() {
    let dir = TestDir::new("missing");
    let target = dir.0.join("no-such-directory").join("chart.png");

    expect_io_error_naming(write_atomic(&target, b"bytes"), &target);
    assert!(dir.entries().is_empty(), "left behind: {:?}", dir.entries());
}

#[test]
fn write_atomic_over_a_directory_fails_and_keeps_it() {
    let dir = TestDir::new("over-directory");
    let target = dir.0.join("chart.png");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("inside.txt"), b"keep").unwrap();

    expect_io_error_naming(write_atomic(&target, b"bytes"), &target);
    assert_eq!(
        dir.entries(),
        ["chart.png"],
        "a temporary file was left behind"
    );
    assert_eq!(std::fs::read(target.join("inside.txt")).unwrap(), b"keep");
}

#[test]
fn a_failed_write_leaves_the_existing_file_untouched() {
    let dir = TestDir::new("failed-write");
    let target = dir.0.join("chart.webp");
    std::fs::write(&target, b"the old chart").unwrap();

    tests_hook::fail_next_write();
    expect_io_error_naming(write_atomic(&target, b"the new chart"), &target);

    assert_eq!(std::fs::read(&target).unwrap(), b"the old chart");
    assert_eq!(
        dir.entries(),
        ["chart.webp"],
        "a temporary file was left behind"
    );

    // The hook fires once: the next write goes through.
    write_atomic(&target, b"the new chart").unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"the new chart");
}

#[test]
fn write_atomic_rejects_a_path_without_a_file_name() {
    expect_invalid(
        write_atomic(Path::new("/"), b"bytes"),
        "does not name a file",
    );
}
