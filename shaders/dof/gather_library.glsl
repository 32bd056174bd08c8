// The depth-of-field gather, shared by the gather pass (gather.glsl: wide blurs at half
// or quarter resolution) and the composite pass (composite.glsl: small blurs, exactly,
// at full resolution). Include after common/constants.glsl; it includes
// common/thin_lens.glsl.
//
// Compile-time switches, from GatherQuality.gather_defines (dofviewer/render/gl/dof.py):
//   KERNEL_SAMPLES    rows of u_kernel: INTERLEAVE patterns of samples_within(max rings,
//                     RING_SAMPLES) rows each (dofviewer/render/gather_kernel.py).
//   RING_SAMPLES      ring k of one pattern holds RING_SAMPLES * k samples; must be the
//                     count gather_kernel() wrote the pattern with.
//   EXACT_REACH       u_exact_kernel covers texel offsets in [-EXACT_REACH, EXACT_REACH]²;
//                     at least the widest small blur (GatherQuality checks this).
//   LAYERS            1: coarse texels are split by the layer moments (layers.glsl);
//                     0: a texel takes the CoC of its mean inverse depth (the preview,
//                     which skips the layers pass).
//   EXACT_SMALL_BLUR  1: the composite gathers small blurs itself; 0: they come from
//                     preview_far.glsl, and near sources are shared out by
//                     preview_shares.glsl.
//
// The method: scatter-as-gather with separate near and far fields.
//
// Every source pixel spreads its radiance evenly over its aperture-shaped blur disc.
// Each output pixel therefore gathers, from samples on concentric rings, those source
// pixels whose disc covers it, each weighted by (area a sample stands for) / (disc area),
// which conserves energy: a bright point keeps its total power as it grows into bokeh.
//
// Two fields are kept apart, so the blur respects occlusion:
// * far field (CoC >= -u_near_epsilon, in focus included): a source pixel behind the
//   output pixel spreads over it no further than the output pixel's own CoC, since a
//   sharper, nearer surface hides it. So a blurred background never smears over a sharp
//   foreground.
// * near field (CoC < -u_near_epsilon): a blurred foreground spreads over everything
//   behind it, with a coverage alpha. The composite lays it over the far field
//   (near-field bleeding).
//
// Rings are spaced dr apart and read from the mip level whose texels are dr wide, so a
// bounded sample count covers a wide disc without gaps. A coarse texel can straddle a
// silhouette, so a second mipmapped texture carries its near fraction, the mean CoC of
// its near pixels and the luminance-weighted CoC of its far pixels; each texel is split
// into its near and far parts, each with its own CoC. The kernel radius comes from the
// dilated tiles (near field) and the pixel's own CoC.
//
// Cost on a software rasteriser (llvmpipe runs both sides of every branch, and a loop as
// often as the slowest pixel beside it needs; README, "Software rasterisers"): every
// function here is inlined into the sample loops, so a branch added to a per-sample
// function is paid by every sample of every pixel.

#include "common/thin_lens.glsl"
#include "dof/ring_layout.glsl"

//==========================================================================================
// Inputs, set by DepthOfField (dofviewer/render/gl/dof.py)
//==========================================================================================

uniform sampler2D u_color_invd;  // rgb linear radiance, a = 1/depth x light weight (common/inverse_depth.glsl); mipmapped
// Layer moments (near fraction, near fraction * CoC, far weight, far weight * CoC), from
// layers.glsl; mipmapped. Read only with LAYERS.
uniform sampler2D u_layers;
// The far field's colour premultiplied by its spreading share (layers.glsl); mipmapped.
// Read only with LAYERS.
uniform sampler2D u_far_color;
uniform sampler2D u_tiles;       // dilated (nearest CoC, farthest CoC) per tile (dilate.glsl)
uniform int u_tile_size;         // px per tile side: TILE_SIZE_PX, as the tiles pass used
// Aperture area / circumradius²: pi for a disc, (n/2) sin(2 pi / n) for n blades, so
// 1.30 to pi (polygon_area_factor in dofviewer/shot/lens.py; gather_kernel.py shapes the rings
// to the same polygon).
uniform float u_aperture_area;
// CoC radius in px, > 0: a source whose CoC is below minus this is near field
// (NEAR_FIELD_EPSILON_PX). layers.glsl must split at the same value, and hidden.glsl
// works from 2x and 3x it.
uniform float u_near_epsilon;
// The ring patterns, INTERLEAVE of them one after the other: rows (x, y, ring, near_rho)
// in ring spacings, the centre first (gather_kernel() in dofviewer/render/gather_kernel.py;
// see gather()).
uniform vec4 u_kernel[KERNEL_SAMPLES];
// The exact gather's offsets, row-major from (-EXACT_REACH, -EXACT_REACH): rows (rho,
// far_rho, near_rho, 0) in texels (exact_kernel() in dofviewer/render/gather_kernel.py).
uniform vec4 u_exact_kernel[(2 * EXACT_REACH + 1) * (2 * EXACT_REACH + 1)];

//==========================================================================================
// Types
//==========================================================================================

// The two fields one output pixel gathers. While gathering each holds sums
// (colour x weight, weight); normalise_fields() turns them into far = (colour, weight)
// and near = (colour, coverage alpha in [0, 1]), or vec4(0) where nothing was gathered.
struct Fields {
    vec4 far;
    vec4 near;
};

// What every sample of one output pixel's gather shares.
struct Kernel {
    float centre_coc;     // the output pixel's own signed CoC radius (px)
    bool centre_is_near;  // centre_coc < -u_near_epsilon: it lies inside a blurred foreground
    float inverse_dr;     // 1 / ring spacing (1/px), > 0; 1 for the exact gather
    float hole_fill;      // behind a blurred foreground, a far source's weight at distance 0
    // Blur (px², as 4x the per-axis variance) that the gather's own sampling adds on top
    // of the lens's: the ring cells' coverage ramp and mip footprint, and the composite's
    // bilinear upsampling of a half- or quarter-resolution result. >= 0; 0 for the exact
    // gather. spread() shrinks each blur disc by it (sqrt(r^2 - widening)), so an edge
    // comes out as wide as the thin lens makes it rather than a pixel or two wider.
    float widening;
};

// Where one source sample lies, seen from the output pixel, and what it stands for.
struct Sample {
    // Distances in px, each measured by the shape of the blur that must reach the output
    // pixel (a point on the outline of a blur of circumradius r lies at r): far_rho for
    // the sample's far part, near_rho for its near part, whose blur is the aperture
    // flipped (dofviewer/render/gather_kernel.py). >= 0.
    float far_rho;
    float near_rho;
    float fill_rings;  // distance in ring steps (texels in the exact gather), >= 0
    float cell_area;   // px² of the disc the sample stands for, > 0
};

//==========================================================================================
// Weights: how much of one source's light lands on the output pixel
//==========================================================================================

// Share of a ring cell (radial width 1 / inverse_dr, area cell_area, at aperture-shaped
// distance shaped_rho) inside a blur of circumradius `radius`, over the blur's area: the
// fraction of that source pixel's light that lands here. The blur is shrunk by the
// kernel's widening, to no less than half its radius. Runs for every sample, so it
// multiplies by the inverse ring spacing rather than divide by it.
float spread(float radius, float shaped_rho, float cell_area, Kernel kernel) {
    float squared = radius * radius;
    squared = max(squared - kernel.widening, 0.25 * squared);
    float cover = clamp((sqrt(squared) - shaped_rho) * kernel.inverse_dr + 0.5, 0.0, 1.0);
    return cover * cell_area / max(u_aperture_area * squared, cell_area);
}

#if EXACT_SMALL_BLUR
// Every near source goes to the gathered near field.
float near_share(float coc) {
    return 1.0;
}
#else
#include "dof/preview_shares.glsl"
#endif

// How far (px, >= 0) a far-field source of signed CoC `coc` spreads over this pixel of
// signed CoC `centre_coc`: a source behind it is hidden beyond this pixel's own CoC.
float far_spread_radius(float coc, float centre_coc) {
    return coc > centre_coc ? min(abs(coc), abs(centre_coc)) : abs(coc);
}

// Behind a blurred foreground a far source fills instead, the nearest most (it is the
// likeliest continuation of what is hidden): `fill_rings` is its distance in ring steps
// (>= 0), and the weight falls from hole_fill at 0 as 1 / (1 + fill_rings²).
float fill_weight(float hole_fill, float fill_rings) {
    return hole_fill / (1.0 + fill_rings * fill_rings);
}

//==========================================================================================
// Accumulation: one source sample into the fields
//==========================================================================================

// The share of a mip texel's colour (linear radiance) that its near pixels make, from
// its layer moments: the far weight is each far pixel's light_weight(), its luminance
// plus LIGHT_WEIGHT_FLOOR (layers.glsl), so the far pixels' luminance is layers.z less
// the floor times their fraction, and the near pixels' is the rest. A texel read across
// a silhouette (mip averaging, bilinear filtering) mixes both sides' colours; this
// splits them by luminance, taking the hue of the mix for each. Where the texel is
// black, its near fraction.
float near_color_share(vec3 color, vec4 layers) {
    float luma = light_weight(color) - LIGHT_WEIGHT_FLOOR;
    float far_luma = layers.z - LIGHT_WEIGHT_FLOOR * (1.0 - layers.x);
    return luma > 0.0 ? clamp(1.0 - far_luma / luma, 0.0, 1.0) : layers.x;
}

// Adds one source sample, given as its colour, layer moments (see u_layers) and far
// spreading colour (u_far_color: premultiplied, a = the share of the texel whose blur
// leaves its pixel), where its blur reaches this pixel: its near part by near_rho, its
// far part by far_rho. Behind a blurred foreground the far part fills instead, by its
// distance in ring steps. Sharp far pixels spread nothing beyond themselves, so the far
// part is the spreading colour alone: a coarse texel half sharp dark card, half blurred
// bright wall spreads half the wall's light, not a grey that darkens the wall beside the
// card. The near part spreads the near pixels' light alone (near_color_share): a texel
// half blurred dark card, half sharp bright wall spreads the card, not a grey that
// lightens the card's blurred edge (the blurred-card case in the quality benchmark).
void accumulate(inout Fields fields, Kernel kernel, Sample tap, vec3 color, vec4 layers,
                vec4 far_color) {
    float near_fraction = layers.x;
    float far_fraction = 1.0 - near_fraction;
    float near_color = near_color_share(color, layers);
    if (near_fraction > 1e-3) {
        float radius = -layers.y / near_fraction;
        float weight = spread(radius, tap.near_rho, tap.cell_area, kernel) * near_share(-radius);
        fields.near += vec4(color * near_color, near_fraction) * weight;
    }
    if (far_fraction > 1e-3 && layers.z > 0.0) {
        float coc = layers.w / layers.z;
        float weight;
        if (kernel.centre_is_near) {
            // Behind a blurred foreground. Only texels (almost) free of foreground count:
            // a mixed texel's far colour is split off by luminance alone.
            weight = fill_weight(kernel.hole_fill, tap.fill_rings)
                   * smoothstep(0.8, 1.0, far_fraction);
        } else {
            float radius = far_spread_radius(coc, kernel.centre_coc);
            weight = spread(radius, tap.far_rho, tap.cell_area, kernel);
        }
        vec4 fill = vec4(color * (1.0 - near_color), far_fraction);
        fields.far += (kernel.centre_is_near ? fill : far_color) * weight;
    }
}

// accumulate() for a sample that is wholly near or wholly far, of CoC `coc`: a single
// texel, or any sample where there are no layer moments. Same result, one spread
// instead of two (a software rasteriser computes both sides of every branch).
void accumulate_single(inout Fields fields, Kernel kernel, Sample tap, vec3 color, float coc) {
    bool is_near = coc < -u_near_epsilon;
    float radius = is_near ? -coc : far_spread_radius(coc, kernel.centre_coc);
    float weight = is_near || !kernel.centre_is_near
        ? spread(radius, is_near ? tap.near_rho : tap.far_rho, tap.cell_area, kernel)
        : fill_weight(kernel.hole_fill, tap.fill_rings);
    if (is_near) weight *= near_share(coc);
    vec4 sum = vec4(color, 1.0) * weight;
    if (is_near) fields.near += sum;
    else fields.far += sum;
}

// One mip-filtered sample at `uv`, level `lod`: a coarse texel can straddle a
// silhouette, and its layer moments split it into near and far parts with their own CoC.
void add_sample(inout Fields fields, Kernel kernel, Sample tap, vec2 uv, float lod) {
    vec4 color = textureLod(u_color_invd, uv, lod);
#if LAYERS
    accumulate(fields, kernel, tap, color.rgb, textureLod(u_layers, uv, lod),
               textureLod(u_far_color, uv, lod));
#else
    accumulate_single(fields, kernel, tap, color.rgb, coc_radius_at(inverse_depth_of(color)));
#endif
}

// Turns the sums into colours: far = (colour, weight), near = (colour, coverage alpha).
void normalise_fields(inout Fields fields) {
    fields.far = fields.far.a > 0.0 ? vec4(fields.far.rgb / fields.far.a, fields.far.a)
                                    : vec4(0.0);
    fields.near = fields.near.a > 0.0
        ? vec4(fields.near.rgb / fields.near.a, min(fields.near.a, 1.0))
        : vec4(0.0);
}

// The nearest CoC whose blur can reach this full-resolution position (from the tiles).
float near_reach(vec2 position) {
    float nearest = texelFetch(u_tiles, ivec2(position) / u_tile_size, 0).x;
    return max(-nearest, 0.0);
}

//==========================================================================================
// The ring gather: any blur, from rings read at a mip level as coarse as their spacing
//==========================================================================================

// The far and near fields at `position` (full-resolution pixel coordinates) over
// `kernel_radius` (px, >= 1: the gather pass skips sharper blocks). `centre` is the
// pixel's own colour and CoC (not its inverse depth); `exact_centre` says it is one
// texel of the full-resolution image (else it stands for a coarser footprint, read at
// `min_lod`). `upsample_variance` is what upsampling the result adds (px² per axis).
// `pattern` is the row of u_kernel where this pixel's pattern starts.
Fields gather(vec2 position, float kernel_radius, vec4 centre, bool exact_centre, float min_lod,
              float upsample_variance, int pattern) {
    vec2 inverse_size = 1.0 / vec2(textureSize(u_color_invd, 0));
    float centre_coc = centre.a;
    bool centre_is_near = centre_coc < -u_near_epsilon;
    RingLayout plan = ring_layout(kernel_radius, min_lod);
    int rings = plan.rings;
    float dr = plan.dr;
    float inverse_dr = 1.0 / dr;
    float lod = plan.lod;
    // Ring k's annulus, (k -+ 1/2) dr, split into RING_SAMPLES * k cells; the centre
    // stands for the disc of radius dr/2 (the same area only with 8 samples a ring).
    float sample_area = TWO_PI / float(RING_SAMPLES) * dr * dr;
    float centre_area = 0.25 * PI * dr * dr;
    float hole_fill = sample_area / (PI * kernel_radius * kernel_radius);
    // A linear ramp dr wide adds dr^2/12 of variance, a mip texel w = 2^lod wide w^2/12.
    float texel = exp2(lod);
    float widening = 4.0 * (upsample_variance + (dr * dr + texel * texel) / 12.0);
    Kernel kernel = Kernel(centre_coc, centre_is_near, inverse_dr, hole_fill, widening);

    Fields fields = Fields(vec4(0.0), vec4(0.0));
    // The centre sample: exact when it is sharper than a ring step, else from the same mip
    // level as the rings so a bright pixel does not stand out of its own bokeh.
    if (exact_centre && abs(centre_coc) < dr) {
        // A pixel always sees itself in full.
        float weight = centre_area / max(u_aperture_area * centre_coc * centre_coc, centre_area);
        if (centre_is_near) fields.near = vec4(centre.rgb, 1.0) * weight;
        else fields.far = vec4(centre.rgb, 1.0) * weight;
    } else {
        add_sample(fields, kernel, Sample(0.0, 0.0, 0.0, centre_area), position * inverse_size,
                   lod);
    }
    // The aperture-shaped rings come precomputed (u_kernel), in units of the ring spacing.
    int samples = 1 + RING_SAMPLES * rings * (rings + 1) / 2;
    for (int i = 1; i < samples; ++i) {
        vec4 k = u_kernel[pattern + i];
        // The sample's share of the disc grows with the square of the outline's reach.
        float shape_squared = dot(k.xy, k.xy) / (k.z * k.z);
        Sample tap = Sample(k.z * dr, k.w * dr, k.z, sample_area * shape_squared);
        add_sample(fields, kernel, tap, (position + dr * k.xy) * inverse_size, lod);
    }
    normalise_fields(fields);
    return fields;
}

//==========================================================================================
// The exact gather: small blurs, every full-resolution texel within reach
//==========================================================================================

// Every full-resolution texel within `kernel_radius` (px, at most EXACT_REACH) of
// `pixel`, each weighted by how much of it its own blur disc covers here
// (clamp(r - d + 1/2)) over that disc's area. No mip level is read, so texels are never
// mixed across a silhouette and a 1-3 px blur is not widened by filtering. Same fields
// and rules as gather().
Fields gather_exact(ivec2 pixel, float kernel_radius, vec4 centre) {
    ivec2 last = textureSize(u_color_invd, 0) - 1;
    float centre_coc = centre.a;
    bool centre_is_near = centre_coc < -u_near_epsilon;
    // Sharp pixels run the loop once (a software rasteriser runs a loop as often as the
    // slowest pixel beside it needs, even for pixels that skipped this call).
    int reach = kernel_radius < 0.5 ? 0 : min(int(ceil(kernel_radius)), EXACT_REACH);
    float hole_fill = 1.0 / (PI * kernel_radius * kernel_radius);
    // Rings one texel apart, and no widening: nothing is filtered or upsampled.
    Kernel kernel = Kernel(centre_coc, centre_is_near, 1.0, hole_fill, 0.0);
    Fields fields = Fields(vec4(0.0), vec4(0.0));
    for (int dy = -reach; dy <= reach; ++dy) {
        for (int dx = -reach; dx <= reach; ++dx) {
            // (rho, far_rho, near_rho): precomputed per offset (u_exact_kernel).
            vec4 k = u_exact_kernel[(dy + EXACT_REACH) * (2 * EXACT_REACH + 1) + dx + EXACT_REACH];
            if (k.x > kernel_radius + 0.5) continue;
            vec4 s = texelFetch(u_color_invd, clamp(pixel + ivec2(dx, dy), ivec2(0), last), 0);
            // A single texel is wholly near or wholly far.
            accumulate_single(fields, kernel, Sample(k.y, k.z, k.x, 1.0), s.rgb,
                              coc_radius_at(inverse_depth_of(s)));
        }
    }
    normalise_fields(fields);
    return fields;
}
