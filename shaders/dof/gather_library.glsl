// The depth-of-field gather, shared by the half-resolution gather pass and the
// full-resolution composite. Include after common/constants.glsl; it includes
// common/thin_lens.glsl. Compile-time switches: KERNEL_SAMPLES and EXACT_REACH (the
// sizes of u_kernel and u_exact_kernel), RING_SAMPLES (ring k holds RING_SAMPLES * k
// samples in each pixel's pattern; u_kernel holds INTERLEAVE such patterns), LAYERS (1:
// coarse texels are split by the per-frame layer moments; 0: each takes the CoC of its
// mean inverse depth, for the preview, which skips the layers pass), EXACT_SMALL_BLUR
// (0: the composite does not gather small blurs itself; see preview_shares.glsl).
//
// It is scatter-as-gather with separate near and far fields.
//
// Every source pixel spreads its radiance evenly over its aperture-shaped blur disc.
// Each output pixel therefore gathers, from samples on concentric rings, those source
// pixels whose disc covers it, each weighted by (area a sample stands for) / (disc area),
// which conserves energy: a bright point keeps its total power as it grows into bokeh.
//
// Two fields are kept apart, so the blur respects occlusion:
// * far field (CoC >= -epsilon, in focus included): a source pixel behind the output
//   pixel spreads over it no further than the output pixel's own CoC, since a sharper,
//   nearer surface hides it. So a blurred background never smears over a sharp foreground.
// * near field (CoC < -epsilon): a blurred foreground spreads over everything behind it,
//   with a coverage alpha. The composite lays it over the far field (near-field bleeding).
//
// Rings are spaced dr apart and read from the mip level whose texels are dr wide, so a
// bounded sample count covers a wide disc without gaps. A coarse texel can straddle a
// silhouette, so a second mipmapped texture carries its near fraction, the mean CoC of its
// near pixels and the luminance-weighted CoC of its far pixels; each texel is split into
// its near and far parts, each with its own CoC.
// The kernel radius comes from the dilated tiles (near field) and the pixel's own CoC.

#include "common/thin_lens.glsl"
uniform sampler2D u_color_invd;  // rgb, a = inverse depth (1/m); mipmapped
uniform sampler2D u_layers;      // (near fraction, near fraction * CoC, far weight, far weight * CoC); mipmapped
uniform sampler2D u_tiles;       // dilated (nearest CoC, farthest CoC) per tile
uniform int u_tile_size;
uniform float u_ring_spacing;    // preferred ring spacing in pixels
uniform int u_max_rings;
uniform float u_aperture_area;   // aperture area / circumradius^2 (pi for a disc)
uniform float u_near_epsilon;    // CoC radius below -epsilon is near field
uniform float u_lod_bias;        // read mips this many levels finer than the ring spacing
uniform vec4 u_kernel[KERNEL_SAMPLES];  // the ring pattern (see gather()); KERNEL_SAMPLES is a define
// The exact gather's texel offsets (see gather_exact()), out to EXACT_REACH, a define.
uniform vec4 u_exact_kernel[(2 * EXACT_REACH + 1) * (2 * EXACT_REACH + 1)];

vec4 g_far;
vec4 g_near;
// Blur (px², as 4x the per-axis variance) that the gather's own sampling adds on top of
// the lens's: the ring cells' coverage ramp and mip footprint, and the composite's
// bilinear upsampling of a half- or quarter-resolution result. Each blur disc is shrunk
// by it (sqrt(r^2 - widening)), so an edge comes out as wide as the thin lens makes it
// rather than a pixel or two wider; 0 for the exact gather.
float g_widening = 0.0;

// Share of a ring cell (radial width 1 / inverse_dr, area cell_area, at aperture-shaped
// distance shaped_rho) inside a blur of `radius`, over the blur's area: the fraction of
// that source pixel's light that lands here. Runs for every sample, so it multiplies by
// the inverse ring spacing rather than divide by it.
float spread(float radius, float shaped_rho, float inverse_dr, float cell_area) {
    float squared = radius * radius;
    squared = max(squared - g_widening, 0.25 * squared);
    float cover = clamp((sqrt(squared) - shaped_rho) * inverse_dr + 0.5, 0.0, 1.0);
    return cover * cell_area / max(u_aperture_area * squared, cell_area);
}

#if EXACT_SMALL_BLUR
float near_share(float coc) {
    return 1.0;
}
#else
#include "dof/preview_shares.glsl"
#endif

// How far a far-field source of CoC `coc` spreads over this pixel: a source behind it is
// hidden beyond this pixel's own CoC.
float far_spread_radius(float coc, float centre_coc) {
    return coc > centre_coc ? min(abs(coc), abs(centre_coc)) : abs(coc);
}

// Behind a blurred foreground a far source fills instead, the nearest most (it is the
// likeliest continuation of what is hidden): `fill_rings` is its distance in ring steps.
float fill_weight(float hole_fill, float fill_rings) {
    return hole_fill / (1.0 + fill_rings * fill_rings);
}

// Adds one source sample, given as its colour and layer moments (see u_layers), where
// its blur reaches this pixel: its near part by the flipped aperture (near_rho), its far
// part by the aperture (far_rho), both in units of the aperture's circumradius. Behind a
// blurred foreground the far part fills instead, weighted by fill_rings, its distance
// in ring steps.
void accumulate(vec3 color, vec4 layers, float far_rho, float near_rho, float fill_rings,
                float inverse_dr, float cell_area, float centre_coc, bool centre_is_near,
                float hole_fill) {
    float near_fraction = layers.x;
    float far_fraction = 1.0 - near_fraction;
    if (near_fraction > 1e-3) {
        float radius = -layers.y / near_fraction;
        float weight = spread(radius, near_rho, inverse_dr, cell_area) * near_share(-radius);
        g_near += vec4(color, 1.0) * near_fraction * weight;
    }
    if (far_fraction > 1e-3 && layers.z > 0.0) {
        float coc = layers.w / layers.z;
        float weight;
        if (centre_is_near) {
            // Behind a blurred foreground. Only texels (almost) free of foreground count:
            // a mixed texel's colour is part foreground and would darken the fill
            // towards the silhouette.
            weight = fill_weight(hole_fill, fill_rings) * smoothstep(0.8, 1.0, far_fraction);
        } else {
            weight = spread(far_spread_radius(coc, centre_coc), far_rho, inverse_dr, cell_area);
        }
        g_far += vec4(color, 1.0) * far_fraction * weight;
    }
}

// accumulate() for a sample that is wholly near or wholly far, of CoC `coc`: a single
// texel, or any sample where there are no layer moments. Same result, one spread
// instead of two (a software rasteriser computes both sides of every branch).
void accumulate_single(vec3 color, float coc, float far_rho, float near_rho, float fill_rings,
                       float inverse_dr, float cell_area, float centre_coc, bool centre_is_near,
                       float hole_fill) {
    bool is_near = coc < -u_near_epsilon;
    float radius = is_near ? -coc : far_spread_radius(coc, centre_coc);
    float weight = is_near || !centre_is_near
        ? spread(radius, is_near ? near_rho : far_rho, inverse_dr, cell_area)
        : fill_weight(hole_fill, fill_rings);
    if (is_near) weight *= near_share(coc);
    vec4 sum = vec4(color, 1.0) * weight;
    if (is_near) g_near += sum;
    else g_far += sum;
}

// One mip-filtered sample: a coarse texel can straddle a silhouette, and its layer
// moments split it into near and far parts with their own CoC.
void add_sample(vec2 uv, float lod, float far_rho, float near_rho, float fill_rings,
                float inverse_dr, float cell_area, float centre_coc, bool centre_is_near,
                float hole_fill) {
    vec4 color = textureLod(u_color_invd, uv, lod);
#if LAYERS
    accumulate(color.rgb, textureLod(u_layers, uv, lod), far_rho, near_rho, fill_rings,
               inverse_dr, cell_area, centre_coc, centre_is_near, hole_fill);
#else
    accumulate_single(color.rgb, coc_radius_at(color.a), far_rho, near_rho, fill_rings,
                      inverse_dr, cell_area, centre_coc, centre_is_near, hole_fill);
#endif
}


// Turns the sums into colours: far = (colour, weight), near = (colour, coverage alpha).
void normalise_fields() {
    g_far = g_far.a > 0.0 ? vec4(g_far.rgb / g_far.a, g_far.a) : vec4(0.0);
    g_near = g_near.a > 0.0 ? vec4(g_near.rgb / g_near.a, min(g_near.a, 1.0)) : vec4(0.0);
}

// The nearest CoC whose blur can reach this full-resolution position (from the tiles).
float near_reach(vec2 position) {
    float nearest = texelFetch(u_tiles, ivec2(position) / u_tile_size, 0).x;
    return max(-nearest, 0.0);
}

// Gathers the far and near fields at `position` (full-resolution pixel coordinates)
// over `kernel_radius`, into g_far and g_near (normalised colour, weight / alpha).
// `centre` is the pixel's own colour and CoC (not its inverse depth); `exact_centre` says
// it is one texel of the full-resolution image (else it stands for a coarser footprint,
// read at `min_lod`). `pattern` is the row of u_kernel where this pixel's pattern starts.
void gather(vec2 position, float kernel_radius, vec4 centre, bool exact_centre, float min_lod,
            float upsample_variance, int pattern) {
    vec2 inverse_size = 1.0 / vec2(textureSize(u_color_invd, 0));
    float centre_coc = centre.a;
    bool centre_is_near = centre_coc < -u_near_epsilon;
    int rings = clamp(int(ceil(kernel_radius / u_ring_spacing)), 1, u_max_rings);
    float dr = kernel_radius / float(rings);
    float inverse_dr = float(rings) / kernel_radius;
    // A whole mip level: a fractional one blends two levels per read, which a software
    // rasteriser pays for in full (a quarter of the final gather's time), for no
    // measurable gain against the reference. The widening below uses the level read.
    float lod = floor(max(log2(dr) - u_lod_bias, min_lod) + 0.5);
    // Ring k's annulus, (k -+ 1/2) dr, split into RING_SAMPLES * k cells; the centre
    // stands for the disc of radius dr/2 (the same area only with 8 samples a ring).
    float sample_area = TWO_PI / float(RING_SAMPLES) * dr * dr;
    float centre_area = 0.25 * PI * dr * dr;
    float hole_fill = sample_area / (PI * kernel_radius * kernel_radius);
    // A linear ramp dr wide adds dr^2/12 of variance, a mip texel w = 2^lod wide w^2/12.
    float texel = exp2(lod);
    g_widening = 4.0 * (upsample_variance + (dr * dr + texel * texel) / 12.0);

    g_far = vec4(0.0);
    g_near = vec4(0.0);
    // The centre sample: exact when it is sharper than a ring step, else from the same mip
    // level as the rings so a bright pixel does not stand out of its own bokeh.
    if (exact_centre && abs(centre_coc) < dr) {
        // A pixel always sees itself in full.
        float weight = centre_area / max(u_aperture_area * centre_coc * centre_coc, centre_area);
        if (centre_is_near) g_near = vec4(centre.rgb, 1.0) * weight;
        else g_far = vec4(centre.rgb, 1.0) * weight;
    } else {
        add_sample(position * inverse_size, lod, 0.0, 0.0, 0.0, inverse_dr, centre_area,
                   centre_coc, centre_is_near, hole_fill);
    }
    // The aperture-shaped rings come precomputed (dofviewer/gather_kernel.py), in units
    // of the ring spacing: (x, y, ring, near_rho), ring after ring.
    int samples = 1 + RING_SAMPLES * rings * (rings + 1) / 2;
    for (int i = 1; i < samples; ++i) {
        vec4 k = u_kernel[pattern + i];
        // The sample's share of the disc grows with the square of the outline's reach.
        float shape_squared = dot(k.xy, k.xy) / (k.z * k.z);
        add_sample((position + dr * k.xy) * inverse_size, lod, k.z * dr, k.w * dr, k.z,
                   inverse_dr, sample_area * shape_squared, centre_coc, centre_is_near,
                   hole_fill);
    }
    normalise_fields();
}

// Small blurs, gathered exactly: every full-resolution texel within the kernel, each
// weighted by how much of it its own blur disc covers here (clamp(r - d + 1/2)) over
// that disc's area. No mip level is read, so texels are never mixed across a silhouette
// and a 1-3 px blur is not widened by filtering. Same fields and rules as gather().
void gather_exact(ivec2 pixel, float kernel_radius, vec4 centre) {
    ivec2 last = textureSize(u_color_invd, 0) - 1;
    float centre_coc = centre.a;
    bool centre_is_near = centre_coc < -u_near_epsilon;
    // Sharp pixels run the loop once (a software rasteriser runs a loop as often as the
    // slowest pixel beside it needs, even for pixels that skipped this call).
    int reach = kernel_radius < 0.5 ? 0 : min(int(ceil(kernel_radius)), EXACT_REACH);
    float hole_fill = 1.0 / (PI * kernel_radius * kernel_radius);
    g_widening = 0.0;
    g_far = vec4(0.0);
    g_near = vec4(0.0);
    for (int dy = -reach; dy <= reach; ++dy) {
        for (int dx = -reach; dx <= reach; ++dx) {
            // (rho, far_rho, near_rho): precomputed per offset (dofviewer/gather_kernel.py).
            vec4 k = u_exact_kernel[(dy + EXACT_REACH) * (2 * EXACT_REACH + 1) + dx + EXACT_REACH];
            if (k.x > kernel_radius + 0.5) continue;
            vec4 s = texelFetch(u_color_invd, clamp(pixel + ivec2(dx, dy), ivec2(0), last), 0);
            // A single texel is wholly near or wholly far.
            accumulate_single(s.rgb, coc_radius_at(s.a), k.y, k.z, k.x, 1.0, 1.0, centre_coc,
                              centre_is_near, hole_fill);
        }
    }
    normalise_fields();
}
