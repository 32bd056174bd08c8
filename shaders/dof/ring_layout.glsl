// How the ring gather lays out its rings for a kernel radius: how many, how far apart,
// and which mip level they read. Shared by the gather (gather_library.glsl) and, in the
// preview, the resolve pass (resolve_fields.glsl), which must know the gather's ring
// spacing to fill between its samples.

// Preferred ring spacing in px, > 0 (GatherQuality.ring_spacing_px): a kernel takes
// ceil(radius / spacing) rings, at most u_max_rings.
uniform float u_ring_spacing;
// 1 up to the rings each pattern of u_kernel holds (GatherQuality.max_rings, which sized
// KERNEL_SAMPLES).
uniform int u_max_rings;
// Read mips this many levels (>= 0) finer than the ring spacing, before rounding to a
// whole level (GatherQuality.lod_bias).
uniform float u_lod_bias;

struct RingLayout {
    int rings;    // 1 to u_max_rings
    float dr;     // ring spacing (px), kernel radius / rings
    float lod;    // the whole mip level the rings read
};

// The finest mip level the wide gather reads, for output texels `scale` px apart (2 or
// 4). Modest blurs read full-resolution texels: a 2x2 average would widen them by a
// pixel. Wide ones read level 1 and up, which costs less and hides in the blur. At a
// quarter resolution one level coarser, or the sparse output texels would alias.
float gather_min_lod(float kernel_radius, float scale) {
    return (kernel_radius < 8.0 ? 0.0 : 1.0) + log2(scale) - 1.0;
}

// The rings for `kernel_radius` (px, >= 1). A whole mip level: a fractional one blends
// two levels per read, which a software rasteriser pays for in full, for no measurable
// gain against the reference.
RingLayout ring_layout(float kernel_radius, float min_lod) {
    int rings = clamp(int(ceil(kernel_radius / u_ring_spacing)), 1, u_max_rings);
    float dr = kernel_radius / float(rings);
    float lod = floor(max(log2(dr) - u_lod_bias, min_lod) + 0.5);
    return RingLayout(rings, dr, lod);
}

// The preview's resolve pass (FILL_RINGS) fills between the rings' samples: a far light
// smaller than a mip texel lands on the output through one bilinear tent per sample,
// and tents narrower than the spacing leave it dotted, with a bump on the rim at every
// sample of the outer ring. The resolve averages the 2x2 texels round four points on
// the diagonals, +-ring_fill_offset texels (of `scale` px) from the centre, which
// spreads each tent to about the spacing (a tent dr wide has dr²/6 of variance, one a
// texel w wide w²/6). Reads on both diagonals weigh the two halves of an interleaved
// pattern equally at any offset; rounding it to whole texels left a plaid on large
// bokeh. 0 where the texels are as wide as the spacing.
float ring_fill_offset(RingLayout plan, float scale) {
    float texel = exp2(plan.lod);
    return sqrt(max(plan.dr * plan.dr - texel * texel, 0.0) / 6.0) / scale;
}

// Per-axis variance (px²) that filling adds, for the gather to take off each disc.
float ring_fill_variance(RingLayout plan, float scale) {
    float offset = ring_fill_offset(plan, scale) * scale;
    return offset * offset;
}
