#version 330 core
// After an interleaved gather (INTERLEAVE 2 in gather.glsl): neighbouring texels each
// read half of the ring pattern, the even samples of every ring or the odd ones, in a
// checkerboard. One bilinear read at the corner four texels share averages them, two of
// each half, so every texel of the fields has read the whole pattern for half the
// samples a texel. Both fields are premultiplied (far by its upsampling weight, near by
// coverage), so the average of their sums is the right one. The gather placed each
// texel's sample at its block's corner, so the average stands at this texel's centre.
//
// With FILL_RINGS the average is taken four times, on the diagonals at +-d round that
// corner, d from the gather's own ring spacing here (ring_fill_variance): a light smaller
// than the mip texels the rings read would otherwise come out as a pattern of dots, and
// the rim of its bokeh scalloped. Reads on both diagonals keep the two halves of the
// pattern equally weighted at any d. The gather takes this blur off each disc as it does
// the upsampling's.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_far;   // the interleaved gather's far field, bilinear
uniform sampler2D u_near;  // and its near field
#if FILL_RINGS
#include "common/thin_lens.glsl"
#include "dof/ring_layout.glsl"
uniform sampler2D u_color_invd;  // rgb, a = 1/depth x light weight (common/inverse_depth.glsl); mipmapped
uniform sampler2D u_tiles;       // dilated (nearest CoC, farthest CoC) per tile
uniform int u_tile_size;         // px per tile side
uniform int u_fields_scale;      // the gather's texel size in px (4)
#endif
layout(location = 0) out vec4 out_far;
layout(location = 1) out vec4 out_near;

void main() {
    vec2 size = vec2(textureSize(u_far, 0));
    vec2 corner = floor(gl_FragCoord.xy) + 1.0;
#if FILL_RINGS
    // The kernel radius the gather took round here (gather.glsl), from the block's mean
    // inverse depth and the tiles' near reach.
    float scale = float(u_fields_scale);
    vec2 position = scale * corner;
    vec2 uv = position / vec2(textureSize(u_color_invd, 0));
    float coc = coc_radius_at(inverse_depth_of(textureLod(u_color_invd, uv, log2(scale) - 1.0)));
    float nearest = texelFetch(u_tiles, ivec2(position) / u_tile_size, 0).x;
    float kernel_radius = max(max(-nearest, 0.0), abs(coc));
    RingLayout plan = ring_layout(max(kernel_radius, 1.0), gather_min_lod(kernel_radius, scale));
    float d = kernel_radius < 1.0 ? 0.0 : ring_fill_offset(plan, scale);
    out_far = vec4(0.0);
    out_near = vec4(0.0);
    // One read where there is nothing to fill; as a loop's trip count, since a software
    // rasteriser runs both sides of a branch.
    int reads = d > 0.0 ? 4 : 1;
    for (int i = 0; i < reads; ++i) {
        vec2 offset = vec2(i == 1 || i == 3 ? -d : d, i >= 2 ? -d : d);
        out_far += texture(u_far, (corner + offset) / size);
        out_near += texture(u_near, (corner + offset) / size);
    }
    out_far /= float(reads);
    out_near /= float(reads);
#else
    out_far = texture(u_far, corner / size);
    out_near = texture(u_near, corner / size);
#endif
}
#endif
