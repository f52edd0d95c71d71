//! A fast lossless WebP (VP8L) writer for images of at most 256 colours, such as charts.
//!
//! Charts are a handful of flat colours: background, grid, up and down candles. This writer
//! uses only the parts of the VP8L format that suit such images and cost little to search:
//!
//! - the colour-indexing transform: a palette, and one index per pixel, several pixels packed
//!   into each byte when there are at most 16 colours (so a 4-colour chart has a quarter as
//!   many "pixels" left to code);
//! - backward references to the pixel on the left (runs) and to the pixel above (a row equal to
//!   the one above it, common in candle bodies, volume bars and background), chosen greedily;
//! - one set of prefix (Huffman) codes for the whole image, built from the symbol counts.
//!
//! It does no predictor, colour or cache search, so files are larger than libwebp's, but it
//! runs in a few linear passes over the pixels. Images with more than 256 colours are left to
//! the general encoder (the caller's choice). The format is described in RFC 9649.
//!
//! It reads the pixels by shared borrow and never changes them; its working buffers (one byte
//! per pixel at most) live only for the call, and it keeps no state between calls.

use super::Pixels;

/// Most palette entries the colour-indexing transform allows.
const MAX_PALETTE: usize = 256;

/// The longest backward reference the format allows.
const MAX_COPY: usize = 4096;

/// Backward references shorter than this are written as literals: a 1- or 2-byte copy costs
/// about as many bits as the literals it replaces.
const MIN_COPY: usize = 3;

/// Green alphabet: 256 literals and 24 length prefix codes (no colour cache).
const GREEN_SYMBOLS: usize = 256 + 24;

/// Distance alphabet: 40 prefix codes.
const DISTANCE_SYMBOLS: usize = 40;

/// Distance codes of the two references used: 1 is the pixel above, 2 the pixel on the left
/// (the first two entries of the format's table of nearby offsets).
const ABOVE: u32 = 1;
const LEFT: u32 = 2;

/// Longest prefix code of image data, and of the code that codes code lengths.
const MAX_CODE_LENGTH: u8 = 15;
const MAX_CODE_LENGTH_CODE_LENGTH: u8 = 7;

/// The order in which the lengths of the code-length code are stored.
const CODE_LENGTH_ORDER: [usize; 19] = [
    17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
];

/// Encodes `pixels` as a complete lossless WebP file appended to `out`, or returns `false`
/// (leaving `out` untouched) when the image has more than 256 colours.
pub(super) fn encode_paletted(pixels: &Pixels<'_>, out: &mut Vec<u8>) -> bool {
    let Some((palette, indices)) = collect_palette(pixels) else {
        return false;
    };
    let bundle_bits = bundle_bits(palette.len());
    let packed_width = (pixels.width as usize).div_ceil(1 << bundle_bits);
    let packed = pack_indices(&indices, pixels.width as usize, bundle_bits);
    drop(indices);
    let tokens = tokenize(&packed, packed_width);
    drop(packed);

    let mut bits = BitWriter::new(out);
    // The RIFF and chunk sizes are filled in once the bitstream's length is known.
    bits.out.extend_from_slice(b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0");
    let start = bits.out.len();
    bits.write(0x2f, 8);
    bits.write(pixels.width - 1, 14);
    bits.write(pixels.height - 1, 14);
    bits.write(u32::from(pixels.channels == 4), 1);
    bits.write(0, 3);

    // One transform: colour indexing (type 3), then the palette as a one-row image.
    bits.write(1, 1);
    bits.write(3, 2);
    bits.write(palette.len() as u32 - 1, 8);
    write_palette(&mut bits, &palette);
    bits.write(0, 1);

    // The main image: no colour cache, one prefix-code group.
    bits.write(0, 1);
    bits.write(0, 1);
    write_tokens(&mut bits, &tokens);
    bits.finish();

    let out = bits.out;
    let payload = out.len() - start;
    if payload % 2 == 1 {
        out.push(0);
    }
    let riff_size = (out.len() - (start - 20) - 8) as u32;
    out[start - 16..start - 12].copy_from_slice(&riff_size.to_le_bytes());
    out[start - 4..start].copy_from_slice(&(payload as u32).to_le_bytes());
    true
}

/// Pixels compared at a time with the same pixels of the row above; equal stretches take their
/// indices from that row without a look-up per pixel.
const STRETCH: usize = 16;

/// The distinct colours in first-seen order (as ARGB words, the format's pixel layout) and
/// each pixel's index into them, or `None` past 256 colours.
fn collect_palette(pixels: &Pixels<'_>) -> Option<(Vec<u32>, Vec<u8>)> {
    let channels = usize::from(pixels.channels);
    let width = pixels.width as usize;
    let row_bytes = width * channels;
    let mut table = ColourTable::new();
    let mut indices = vec![0u8; pixels.data.len() / channels];
    // Charts repeat the previous pixel's colour, or the pixels above, almost everywhere: only
    // what differs from both needs the table.
    let mut last = (u32::MAX, None::<u8>);
    for (y, row) in pixels.data.chunks_exact(row_bytes).enumerate() {
        for x in (0..width).step_by(STRETCH) {
            let end = (x + STRETCH).min(width);
            let at = y * width;
            if y > 0
                && row[x * channels..end * channels]
                    == pixels.data[(y - 1) * row_bytes..][x * channels..end * channels]
            {
                indices.copy_within(at - width + x..at - width + end, at + x);
                continue;
            }
            for (offset, pixel) in row[x * channels..end * channels]
                .chunks_exact(channels)
                .enumerate()
            {
                let alpha = if channels == 4 { pixel[3] } else { 255 };
                let argb = u32::from_be_bytes([alpha, pixel[0], pixel[1], pixel[2]]);
                let index = match last {
                    (colour, Some(index)) if colour == argb => index,
                    _ => {
                        let index = table.index(argb)?;
                        last = (argb, Some(index));
                        index
                    }
                };
                indices[at + x + offset] = index;
            }
        }
    }
    Some((table.colours, indices))
}

/// Colour to palette index, by open addressing in a fixed table four times the palette limit.
struct ColourTable {
    slots: [u32; 4 * MAX_PALETTE],
    // Index + 1 in the slot's colour, 0 for an empty slot.
    entries: [u16; 4 * MAX_PALETTE],
    colours: Vec<u32>,
}

impl ColourTable {
    fn new() -> Self {
        ColourTable {
            slots: [0; 4 * MAX_PALETTE],
            entries: [0; 4 * MAX_PALETTE],
            colours: Vec::with_capacity(MAX_PALETTE),
        }
    }

    /// The index of `argb`, added if new; `None` when the palette is full.
    fn index(&mut self, argb: u32) -> Option<u8> {
        let mask = self.slots.len() - 1;
        let mut slot = (argb.wrapping_mul(0x9E37_79B1) >> 22) as usize & mask;
        loop {
            match self.entries[slot] {
                0 => break,
                entry if self.slots[slot] == argb => return Some((entry - 1) as u8),
                _ => slot = (slot + 1) & mask,
            }
        }
        if self.colours.len() == MAX_PALETTE {
            return None;
        }
        self.colours.push(argb);
        self.slots[slot] = argb;
        self.entries[slot] = self.colours.len() as u16;
        Some((self.colours.len() - 1) as u8)
    }
}

/// log2 of the pixels packed per byte for a palette of `size` colours.
fn bundle_bits(size: usize) -> u32 {
    match size {
        0..=2 => 3,
        3..=4 => 2,
        5..=16 => 1,
        _ => 0,
    }
}

/// Packs the indices of each row `1 << bundle_bits` to a byte, first pixel in the lowest bits,
/// as the colour-indexing transform expects.
fn pack_indices(indices: &[u8], width: usize, bundle_bits: u32) -> Vec<u8> {
    match bundle_bits {
        0 => indices.to_vec(),
        1 => pack::<2>(indices, width),
        2 => pack::<4>(indices, width),
        _ => pack::<8>(indices, width),
    }
}

/// [`pack_indices`] for `PER_BYTE` indices per byte, a constant so that the shifts are too.
fn pack<const PER_BYTE: usize>(indices: &[u8], width: usize) -> Vec<u8> {
    let bits_per_index = 8 / PER_BYTE;
    let packed_width = width.div_ceil(PER_BYTE);
    let mut packed = Vec::with_capacity(packed_width * (indices.len() / width));
    for row in indices.chunks_exact(width) {
        let groups = row.chunks_exact(PER_BYTE);
        let rest = groups.remainder();
        packed.extend(groups.map(|group| {
            let mut byte = 0;
            for (slot, &index) in group.iter().enumerate() {
                byte |= index << (slot * bits_per_index);
            }
            byte
        }));
        if !rest.is_empty() {
            let mut byte = 0;
            for (slot, &index) in rest.iter().enumerate() {
                byte |= index << (slot * bits_per_index);
            }
            packed.push(byte);
        }
    }
    packed
}

/// One coded item of the main image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// A packed byte, coded as the green channel (the others are always zero).
    Literal(u8),
    /// `length` bytes copied from the pixel at `distance_code` ([`ABOVE`] or [`LEFT`]).
    Copy { length: u16, distance_code: u32 },
}

/// Greedy parse of `packed` (rows of `width` bytes) into literals and copies from the left or
/// from above, whichever reaches further.
fn tokenize(packed: &[u8], width: usize) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < packed.len() {
        let limit = MAX_COPY.min(packed.len() - at);
        let left = if at >= 1 {
            match_length(packed, at, 1, limit)
        } else {
            0
        };
        let above = if at >= width {
            match_length(packed, at, width, limit)
        } else {
            0
        };
        let (length, distance_code) = if above >= left {
            (above, ABOVE)
        } else {
            (left, LEFT)
        };
        if length >= MIN_COPY {
            tokens.push(Token::Copy {
                length: length as u16,
                distance_code,
            });
            at += length;
        } else {
            tokens.push(Token::Literal(packed[at]));
            at += 1;
        }
    }
    tokens
}

/// How many bytes from `at` on (at most `limit`) equal those `distance` bytes earlier.
fn match_length(bytes: &[u8], at: usize, distance: usize, limit: usize) -> usize {
    let (current, earlier) = (
        &bytes[at..at + limit],
        &bytes[at - distance..at - distance + limit],
    );
    let mut length = 0;
    // Eight bytes per comparison: the first differing byte is the lowest non-zero byte of
    // the XOR of two little-endian words.
    for (word, earlier_word) in current.chunks_exact(8).zip(earlier.chunks_exact(8)) {
        let difference = u64::from_le_bytes(word.try_into().unwrap())
            ^ u64::from_le_bytes(earlier_word.try_into().unwrap());
        if difference != 0 {
            return length + difference.trailing_zeros() as usize / 8;
        }
        length += 8;
    }
    length
        + current[length..]
            .iter()
            .zip(&earlier[length..])
            .take_while(|(a, b)| a == b)
            .count()
}

/// The prefix symbol and extra bits of a length or distance `value` (1-based).
fn prefix_code(value: u32) -> (usize, u32, u32) {
    let value = value - 1;
    if value < 4 {
        return (value as usize, 0, 0);
    }
    let highest = 31 - value.leading_zeros();
    let second_highest = (value >> (highest - 1)) & 1;
    let extra_bits = highest - 1;
    (
        (2 * highest + second_highest) as usize,
        extra_bits,
        value & ((1 << extra_bits) - 1),
    )
}

/// Writes the prefix codes of the main image and then its tokens.
fn write_tokens(bits: &mut BitWriter<'_>, tokens: &[Token]) {
    let mut green_counts = [0u32; GREEN_SYMBOLS];
    let mut distance_counts = [0u32; DISTANCE_SYMBOLS];
    for token in tokens {
        match *token {
            Token::Literal(byte) => green_counts[usize::from(byte)] += 1,
            Token::Copy {
                length,
                distance_code,
            } => {
                green_counts[256 + prefix_code(u32::from(length)).0] += 1;
                distance_counts[prefix_code(distance_code).0] += 1;
            }
        }
    }
    let green = PrefixCode::new(&green_counts);
    let distance = PrefixCode::new(&distance_counts);
    green.write(bits);
    // Red, blue and alpha are zero in every literal: one-symbol codes, which take no bits.
    for _ in 0..3 {
        PrefixCode::write_single(bits, 0);
    }
    distance.write(bits);

    for token in tokens {
        match *token {
            Token::Literal(byte) => green.put(bits, usize::from(byte)),
            Token::Copy {
                length,
                distance_code,
            } => {
                let (symbol, extra_bits, extra) = prefix_code(u32::from(length));
                green.put(bits, 256 + symbol);
                bits.write(extra, extra_bits);
                // Distance codes 1 and 2 have no extra bits.
                distance.put(bits, prefix_code(distance_code).0);
            }
        }
    }
}

/// Writes the palette as a one-row image of literals, each entry the difference from the one
/// before (per channel, modulo 256), as the format stores it.
fn write_palette(bits: &mut BitWriter<'_>, palette: &[u32]) {
    let mut previous = 0u32;
    let deltas: Vec<[u8; 4]> = palette
        .iter()
        .map(|&argb| {
            let [a, r, g, b] = argb.to_be_bytes();
            let [pa, pr, pg, pb] = previous.to_be_bytes();
            previous = argb;
            [
                g.wrapping_sub(pg),
                r.wrapping_sub(pr),
                b.wrapping_sub(pb),
                a.wrapping_sub(pa),
            ]
        })
        .collect();

    // No colour cache in the palette image.
    bits.write(0, 1);
    let mut codes = Vec::with_capacity(4);
    for channel in 0..4 {
        let mut counts = vec![0u32; if channel == 0 { GREEN_SYMBOLS } else { 256 }];
        for delta in &deltas {
            counts[usize::from(delta[channel])] += 1;
        }
        let code = PrefixCode::new(&counts);
        code.write(bits);
        codes.push(code);
    }
    // No backward references, so no distances.
    PrefixCode::write_single(bits, 0);
    for delta in &deltas {
        for (code, &value) in codes.iter().zip(delta) {
            code.put(bits, usize::from(value));
        }
    }
}

/// A canonical prefix code: each symbol's length and its bit-reversed code word, ready to be
/// written least significant bit first.
struct PrefixCode {
    lengths: Vec<u8>,
    words: Vec<u16>,
    /// The one symbol (< 256) of a code that takes no bits; its `lengths` are all zero.
    single: Option<u8>,
}

impl PrefixCode {
    /// The code for symbols occurring `counts` times, at most [`MAX_CODE_LENGTH`] bits long.
    fn new(counts: &[u32]) -> Self {
        let mut used = (0..counts.len()).filter(|&symbol| counts[symbol] > 0);
        if let (Some(symbol), None) = (used.next(), used.next()) {
            if symbol < 256 {
                return PrefixCode {
                    lengths: vec![0; counts.len()],
                    words: vec![0; counts.len()],
                    single: Some(symbol as u8),
                };
            }
        }
        Self::from_lengths(code_lengths(counts, MAX_CODE_LENGTH))
    }

    fn from_lengths(lengths: Vec<u8>) -> Self {
        let words = canonical_words(&lengths);
        PrefixCode {
            lengths,
            words,
            single: None,
        }
    }

    /// Writes symbol `symbol`.
    #[inline]
    fn put(&self, bits: &mut BitWriter<'_>, symbol: usize) {
        bits.write(
            u32::from(self.words[symbol]),
            u32::from(self.lengths[symbol]),
        );
    }

    /// A "simple" code of the one symbol `symbol` (< 256), which then takes no bits at all.
    fn write_single(bits: &mut BitWriter<'_>, symbol: u8) {
        bits.write(1, 1);
        bits.write(0, 1);
        if symbol <= 1 {
            bits.write(0, 1);
            bits.write(u32::from(symbol), 1);
        } else {
            bits.write(1, 1);
            bits.write(u32::from(symbol), 8);
        }
    }

    /// Writes the code's description: a simple code when it has one or two symbols below 256,
    /// otherwise its code lengths, themselves prefix coded.
    fn write(&self, bits: &mut BitWriter<'_>) {
        if let Some(symbol) = self.single {
            return Self::write_single(bits, symbol);
        }
        let used: Vec<usize> = (0..self.lengths.len())
            .filter(|&symbol| self.lengths[symbol] > 0)
            .collect();
        match used[..] {
            [] => Self::write_single(bits, 0),
            [symbol] if symbol < 256 => Self::write_single(bits, symbol as u8),
            [first, second] if second < 256 => {
                // Two one-bit symbols; in ascending order so the first gets code 0, as in the
                // canonical code built here.
                bits.write(1, 1);
                bits.write(1, 1);
                bits.write(1, 1);
                bits.write(first as u32, 8);
                bits.write(second as u32, 8);
            }
            _ => self.write_lengths(bits),
        }
    }

    fn write_lengths(&self, bits: &mut BitWriter<'_>) {
        // Code lengths as symbols 0..=15, with 17 and 18 for runs of 3-10 and 11-138 zeros.
        let mut symbols: Vec<(u8, u32, u32)> = Vec::new();
        let mut at = 0;
        while at < self.lengths.len() {
            let length = self.lengths[at];
            let run = self.lengths[at..]
                .iter()
                .take_while(|&&other| other == length)
                .count();
            if length == 0 && run >= 11 {
                let run = run.min(138);
                symbols.push((18, 7, run as u32 - 11));
                at += run;
            } else if length == 0 && run >= 3 {
                symbols.push((17, 3, run as u32 - 3));
                at += run;
            } else {
                symbols.push((length, 0, 0));
                at += 1;
            }
        }
        let mut counts = [0u32; 19];
        for &(symbol, _, _) in &symbols {
            counts[usize::from(symbol)] += 1;
        }
        let length_code =
            PrefixCode::from_lengths(code_lengths(&counts, MAX_CODE_LENGTH_CODE_LENGTH));

        bits.write(0, 1);
        let stored = CODE_LENGTH_ORDER
            .iter()
            .rposition(|&symbol| length_code.lengths[symbol] > 0)
            .map_or(4, |last| (last + 1).max(4));
        bits.write(stored as u32 - 4, 4);
        for &symbol in &CODE_LENGTH_ORDER[..stored] {
            bits.write(u32::from(length_code.lengths[symbol]), 3);
        }
        // Lengths are given for the whole alphabet (no "max symbol").
        bits.write(0, 1);
        for &(symbol, extra_bits, extra) in &symbols {
            length_code.put(bits, usize::from(symbol));
            bits.write(extra, extra_bits);
        }
    }
}

/// Huffman code lengths for `counts`, at most `limit` bits (`2^limit` must be at least the
/// number of symbols, as it is for every alphabet of the format), forming a complete code of at
/// least two symbols (decoders reject incomplete codes, and a lone symbol is given a partner
/// of length 1 so that no decoder has to special-case a zero-bit normal code).
fn code_lengths(counts: &[u32], limit: u8) -> Vec<u8> {
    let mut counts = counts.to_vec();
    let used = counts.iter().filter(|&&count| count > 0).count();
    if used < 2 {
        // Give the lone symbol (or symbol 0) a partner.
        let lone = counts.iter().position(|&count| count > 0).unwrap_or(0);
        counts[lone] = counts[lone].max(1);
        counts[usize::from(lone == 0)] = 1;
    }
    // Flattening the smallest counts shortens the longest codes; repeat until they fit.
    let mut floor = 0u32;
    loop {
        let flattened: Vec<u32> = counts
            .iter()
            .map(|&count| if count > 0 { count.max(floor) } else { 0 })
            .collect();
        let lengths = huffman_lengths(&flattened);
        if lengths.iter().all(|&length| length <= limit) {
            return lengths;
        }
        floor = (floor * 2).max(1);
        let total: u32 = counts.iter().sum();
        floor = floor.max(total >> limit);
    }
}

/// Plain Huffman code lengths of the symbols with a non-zero count (at least two).
fn huffman_lengths(counts: &[u32]) -> Vec<u8> {
    // Nodes: leaves first, then internal nodes; `parent` links let depths be read back.
    let mut leaves: Vec<(u64, usize)> = counts
        .iter()
        .enumerate()
        .filter(|(_, &count)| count > 0)
        .map(|(symbol, &count)| (u64::from(count), symbol))
        .collect();
    // Ties broken by symbol so that the code never depends on anything but the counts.
    leaves.sort_unstable();
    let leaf_count = leaves.len();
    let mut weights: Vec<u64> = leaves.iter().map(|&(weight, _)| weight).collect();
    let mut parent = vec![0usize; 2 * leaf_count - 1];
    // Two-queue construction: leaves sorted, internal nodes created in ascending weight.
    let (mut next_leaf, mut next_internal) = (0, leaf_count);
    let take_smallest = |weights: &[u64], next_leaf: &mut usize, next_internal: &mut usize| {
        let internal_ready = *next_internal < weights.len();
        if *next_leaf < leaf_count
            && (!internal_ready || weights[*next_leaf] <= weights[*next_internal])
        {
            *next_leaf += 1;
            *next_leaf - 1
        } else {
            *next_internal += 1;
            *next_internal - 1
        }
    };
    for _ in 0..leaf_count - 1 {
        let first = take_smallest(&weights, &mut next_leaf, &mut next_internal);
        let second = take_smallest(&weights, &mut next_leaf, &mut next_internal);
        let node = weights.len();
        weights.push(weights[first] + weights[second]);
        parent[first] = node;
        parent[second] = node;
    }
    let root = weights.len() - 1;
    // A depth fits in a byte: a Huffman tree of depth d needs a total count of at least the
    // d-th Fibonacci number, and here at most 280 counts below 2^32 add up to less than 2^41
    // (so the depth stays below 60).
    let mut depth = vec![0u8; weights.len()];
    for node in (0..root).rev() {
        depth[node] = depth[parent[node]] + 1;
    }
    let mut lengths = vec![0u8; counts.len()];
    for (leaf, &(_, symbol)) in leaves.iter().enumerate() {
        lengths[symbol] = depth[leaf];
    }
    lengths
}

/// Canonical code words (shorter codes first, then by symbol), bit-reversed because the
/// format reads code bits least significant first.
fn canonical_words(lengths: &[u8]) -> Vec<u16> {
    let mut per_length = [0u16; 16];
    for &length in lengths {
        per_length[usize::from(length)] += 1;
    }
    per_length[0] = 0;
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for length in 1..16 {
        code = (code + per_length[length - 1]) << 1;
        next[length] = code;
    }
    lengths
        .iter()
        .map(|&length| {
            if length == 0 {
                return 0;
            }
            let word = next[usize::from(length)];
            next[usize::from(length)] += 1;
            word.reverse_bits() >> (16 - length)
        })
        .collect()
}

/// Least-significant-bit-first bit packing into a byte vector.
struct BitWriter<'o> {
    out: &'o mut Vec<u8>,
    buffer: u64,
    used: u32,
}

impl<'o> BitWriter<'o> {
    fn new(out: &'o mut Vec<u8>) -> Self {
        BitWriter {
            out,
            buffer: 0,
            used: 0,
        }
    }

    /// Appends the low `count` (at most 32) bits of `value`.
    #[inline]
    fn write(&mut self, value: u32, count: u32) {
        debug_assert!(count <= 32 && (count == 32 || value >> count == 0));
        self.buffer |= u64::from(value) << self.used;
        self.used += count;
        if self.used >= 32 {
            self.out
                .extend_from_slice(&(self.buffer as u32).to_le_bytes());
            self.buffer >>= 32;
            self.used -= 32;
        }
    }

    /// Writes out the last partial byte, padded with zero bits.
    fn finish(&mut self) {
        let bytes = self.used.div_ceil(8) as usize;
        self.out
            .extend_from_slice(&self.buffer.to_le_bytes()[..bytes]);
        self.buffer = 0;
        self.used = 0;
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::test_support::XorShift;

    /// Decodes with libwebp, the decoder Pillow uses, to RGBA.
    fn decode_with_libwebp(file: &[u8]) -> Vec<u8> {
        let (mut width, mut height) = (0, 0);
        // SAFETY: `file` is readable for its length; libwebp returns a buffer of width * height
        // RGBA pixels (or null), which is copied and then freed with WebPFree.
        unsafe {
            let data =
                libwebp_sys::WebPDecodeRGBA(file.as_ptr(), file.len(), &mut width, &mut height);
            assert!(!data.is_null(), "libwebp rejected the file");
            let pixels = std::slice::from_raw_parts(data, (width * height * 4) as usize).to_vec();
            libwebp_sys::WebPFree(data.cast());
            pixels
        }
    }

    fn decode_with_image_webp(file: &[u8]) -> (bool, Vec<u8>) {
        let mut decoder = image_webp::WebPDecoder::new(Cursor::new(file)).unwrap();
        let mut buffer = vec![0; decoder.output_buffer_size().unwrap()];
        decoder.read_image(&mut buffer).unwrap();
        (decoder.has_alpha(), buffer)
    }

    /// A chart-like image: horizontal bands and vertical bars in `colours` colours, with some
    /// scattered noise so that literals, runs and copies from above all occur.
    fn test_image(width: usize, height: usize, colours: u32, channels: usize) -> Vec<u8> {
        let mut random = XorShift::new((width * 7919 + height * 31 + colours as usize) as u64 | 1);
        let mut next = move || random.next_u64();
        let palette: Vec<[u8; 4]> = (0..colours)
            .map(|_| {
                let word = next();
                [
                    word as u8,
                    (word >> 8) as u8,
                    (word >> 16) as u8,
                    (word >> 24) as u8,
                ]
            })
            .collect();
        let bar_top: Vec<usize> = (0..width).map(|_| next() as usize % (height + 1)).collect();
        let mut data = Vec::with_capacity(width * height * channels);
        for y in 0..height {
            for (x, &top) in bar_top.iter().enumerate() {
                let index = if next() % 50 == 0 {
                    next() as usize
                } else if y >= top {
                    x / 3 + 1
                } else {
                    y / 5
                };
                data.extend_from_slice(&palette[index % palette.len()][..channels]);
            }
        }
        data
    }

    #[test]
    fn files_decode_to_the_exact_pixels() {
        for (width, height) in [(1, 1), (1, 9), (9, 1), (33, 17), (300, 200), (1027, 13)] {
            for colours in [1, 2, 3, 4, 5, 16, 17, 200, 256] {
                for channels in [3, 4] {
                    let data = test_image(width, height, colours, channels);
                    let pixels = Pixels {
                        data: &data,
                        width: width as u32,
                        height: height as u32,
                        channels: channels as u8,
                    };
                    let mut file = Vec::new();
                    assert!(encode_paletted(&pixels, &mut file));
                    let case = format!("{width}x{height}, {colours} colours, {channels} channels");
                    let rgba: Vec<u8> = if channels == 4 {
                        data.clone()
                    } else {
                        data.chunks(3)
                            .flat_map(|p| [p[0], p[1], p[2], 255])
                            .collect()
                    };
                    assert!(decode_with_libwebp(&file) == rgba, "libwebp: {case}");
                    let (has_alpha, decoded) = decode_with_image_webp(&file);
                    assert_eq!(has_alpha, channels == 4, "{case}");
                    assert!(decoded == data, "image-webp: {case}");
                }
            }
        }
    }

    #[test]
    fn more_than_256_colours_are_declined() {
        let data: Vec<u8> = (0..257u32)
            .flat_map(|n| [n as u8, (n >> 8) as u8, 0, 255])
            .collect();
        let pixels = Pixels {
            data: &data,
            width: 257,
            height: 1,
            channels: 4,
        };
        let mut file = Vec::new();
        assert!(!encode_paletted(&pixels, &mut file));
        assert!(file.is_empty());
    }

    #[test]
    fn prefix_codes_follow_the_format() {
        assert_eq!(prefix_code(1), (0, 0, 0));
        assert_eq!(prefix_code(4), (3, 0, 0));
        assert_eq!(prefix_code(5), (4, 1, 0));
        assert_eq!(prefix_code(6), (4, 1, 1));
        assert_eq!(prefix_code(7), (5, 1, 0));
        assert_eq!(prefix_code(4096), (23, 10, 1023));
    }

    #[test]
    fn code_lengths_are_complete_and_limited() {
        for counts in [
            vec![0, 5, 0],
            vec![0, 0, 0],
            vec![1, 1],
            (1..=40).map(|n| 1u32 << (n % 25)).collect(),
            vec![1_000_000; 100],
        ] {
            let lengths = code_lengths(&counts, 7);
            let kraft: f64 = lengths
                .iter()
                .filter(|&&length| length > 0)
                .map(|&length| 0.5f64.powi(i32::from(length)))
                .sum();
            assert_eq!(kraft, 1.0, "{counts:?}");
            assert!(lengths.iter().all(|&length| length <= 7));
            assert!(lengths.iter().filter(|&&length| length > 0).count() >= 2);
        }
    }

    #[test]
    fn tokens_prefer_the_longer_copy() {
        let packed = [1, 1, 1, 1, 2, 3, 1, 1, 1, 1, 2, 3];
        assert_eq!(
            tokenize(&packed, 6),
            vec![
                Token::Literal(1),
                Token::Copy {
                    length: 3,
                    distance_code: LEFT
                },
                Token::Literal(2),
                Token::Literal(3),
                Token::Copy {
                    length: 6,
                    distance_code: ABOVE
                },
            ]
        );
    }
}
