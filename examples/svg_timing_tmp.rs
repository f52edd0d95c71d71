use kimsfinance_native::input::{Column, Ohlcv};
use kimsfinance_native::layout::ChartSize;
use kimsfinance_native::raster::candles::BodyStyle;
use kimsfinance_native::style::THEMES;
use kimsfinance_native::svg::charts::{candles_svg, CandleSvgOptions, SvgFrame};
use kimsfinance_native::svg::write_python_float;
use std::time::Instant;
fn main() {
    let n = 10_000;
    let mut state = 1u64;
    let mut rnd = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 10_000) as f64 / 1000.0
    };
    let mut c = 100.0;
    let (mut o, mut h, mut l, mut cl, mut v) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        c += rnd() - 5.0;
        o.push(c + rnd() / 10.0);
        cl.push(c);
        h.push(c + 2.0);
        l.push(c - 2.0);
        v.push(rnd());
    }
    let data = Ohlcv::new(
        Column::from_slice(&o),
        Column::from_slice(&h),
        Column::from_slice(&l),
        Column::from_slice(&cl),
        Column::from_slice(&v),
    )
    .unwrap();
    let options = CandleSvgOptions {
        frame: SvgFrame {
            size: ChartSize::new(1920, 1080).unwrap(),
            palette: THEMES[0].1,
            show_grid: true,
            volume: true,
        },
        body: BodyStyle::Filled,
    };
    let mut times = vec![];
    let mut len = 0;
    for _ in 0..15 {
        let t = Instant::now();
        let s = candles_svg(&data, &options);
        times.push(t.elapsed().as_secs_f64());
        len = s.len();
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("candles_svg median {:.2} ms, {} bytes", times[7] * 1e3, len);
    let mut out = String::with_capacity(4_000_000);
    let t = Instant::now();
    for i in 0..150_000 {
        write_python_float(&mut out, 755.123456789 - i as f64 * 0.0037);
        out.push(' ');
    }
    println!("150k floats {:.2} ms", t.elapsed().as_secs_f64() * 1e3);
}
