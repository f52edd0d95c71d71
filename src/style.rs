//! Colours and themes: the palette every renderer draws with.
//!
//! Colours are straight (not premultiplied) RGBA. In RGBA output the theme's grid colour keeps
//! its 25 % alpha and is written as is, without blending, which is what the original library's
//! images contain; in RGB output every colour is opaque.

/// A straight RGBA colour.
pub type Rgba = [u8; 4];

/// The four colours of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Background fill.
    pub background: Rgba,
    /// Rising candles (close >= open) and their volume bars.
    pub up: Rgba,
    /// Falling candles and their volume bars.
    pub down: Rgba,
    /// Grid lines.
    pub grid: Rgba,
}

/// Alpha of the grid colour in RGBA output (about 25 %).
const GRID_ALPHA: u8 = 64;

/// The built-in themes, by name.
pub const THEMES: [(&str, Palette); 4] = [
    (
        "classic",
        Palette {
            background: [0, 0, 0, 255],
            up: [0, 255, 0, 255],
            down: [255, 0, 0, 255],
            grid: [51, 51, 51, GRID_ALPHA],
        },
    ),
    (
        "modern",
        Palette {
            background: [30, 30, 30, 255],
            up: [38, 166, 154, 255],
            down: [239, 83, 80, 255],
            grid: [66, 66, 66, GRID_ALPHA],
        },
    ),
    (
        "tradingview",
        Palette {
            background: [19, 23, 34, 255],
            up: [8, 153, 129, 255],
            down: [242, 54, 69, 255],
            grid: [42, 46, 57, GRID_ALPHA],
        },
    ),
    (
        "light",
        Palette {
            background: [255, 255, 255, 255],
            up: [38, 166, 154, 255],
            down: [239, 83, 80, 255],
            grid: [224, 224, 224, GRID_ALPHA],
        },
    ),
];

/// The theme called `name`, if there is one.
pub fn theme(name: &str) -> Option<Palette> {
    THEMES
        .iter()
        .find(|(theme_name, _)| *theme_name == name)
        .map(|(_, palette)| *palette)
}

/// Caller-supplied colours that replace the theme's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Replaces the background colour.
    pub background: Option<Rgba>,
    /// Replaces the rising colour.
    pub up: Option<Rgba>,
    /// Replaces the falling colour.
    pub down: Option<Rgba>,
}

impl Palette {
    /// The palette of theme `name` (classic when unknown) with `overrides` applied, for RGBA
    /// output when `rgba`, else for opaque RGB output.
    pub fn resolve(name: &str, overrides: Overrides, rgba: bool) -> Palette {
        let base = theme(name).unwrap_or(THEMES[0].1);
        let palette = Palette {
            background: overrides.background.unwrap_or(base.background),
            up: overrides.up.unwrap_or(base.up),
            down: overrides.down.unwrap_or(base.down),
            grid: base.grid,
        };
        if rgba {
            palette
        } else {
            palette.opaque()
        }
    }

    fn opaque(self) -> Palette {
        let opaque = |[r, g, b, _]: Rgba| [r, g, b, 255];
        Palette {
            background: opaque(self.background),
            up: opaque(self.up),
            down: opaque(self.down),
            grid: opaque(self.grid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_theme_falls_back_to_classic() {
        assert_eq!(
            Palette::resolve("nope", Overrides::default(), true),
            THEMES[0].1
        );
    }

    #[test]
    fn rgb_output_makes_the_grid_opaque() {
        let palette = Palette::resolve("classic", Overrides::default(), false);
        assert_eq!(palette.grid, [51, 51, 51, 255]);
    }

    #[test]
    fn overrides_replace_theme_colours() {
        let overrides = Overrides {
            up: Some([1, 2, 3, 4]),
            ..Overrides::default()
        };
        let palette = Palette::resolve("light", overrides, true);
        assert_eq!(palette.up, [1, 2, 3, 4]);
        assert_eq!(palette.down, [239, 83, 80, 255]);
    }
}
