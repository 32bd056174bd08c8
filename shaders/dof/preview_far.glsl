#version 330 core
// The preview far pass, the viewer's preview only (PREVIEW in dofviewer/render/gl/dof.py),
// between the gather and the composite: the far field at half resolution, so that the
// full-resolution composite reads it once. Small blurs (up to u_small_blur) come from
// four reads of one mip level, wider ones from the quarter-resolution gather, upsampled.
// On a software rasteriser each texture read of a full-resolution pass costs about a
// screen copy; here a quarter.
#include "common/fullscreen.glsl"
#include "common/constants.glsl"

#if defined FRAGMENT_SHADER
#include "common/thin_lens.glsl"
#include "dof/fields.glsl"
#include "dof/preview_shares.glsl"
uniform sampler2D u_color_invd;  // rgb, a = 1/depth x light weight (common/inverse_depth.glsl); mipmapped
layout(location = 0) out vec4 out_far;

// A disc of radius r has r^2/4 of variance per axis. Four bilinear reads of one whole
// mip level (a fractional level costs two reads each on a software rasteriser) on the
// diagonals at +-d give it: level L adds (2^L)^2/4 (its box and the bilinear tent), the
// diagonal spread d^2, and the composite's upsampling from half resolution. The reads
// stay on the diagonals: on the axes, or three at 120°, small bright lights came out
// worse against the reference (docs/shaders.md).
vec3 small_blur(vec2 position, float radius) {
    vec2 size = vec2(textureSize(u_color_invd, 0));
    vec2 uv = position / size;
    float variance = max(0.25 * radius * radius - upsampling_variance(2.0), 0.0);
    float lod = floor(max(0.5 * log2(max(variance, 0.0625)), 0.0) + 0.5);
    vec2 d = vec2(sqrt(max(variance - 0.25 * exp2(2.0 * lod), 0.0))) / size;
    // One read where the spread is nil (a sharp pixel: the level is the blur). As a loop's
    // trip count, not a branch: a software rasteriser runs both sides of a branch, but
    // leaves a loop once no pixel beside it needs another turn (llvmpipe: after one turn
    // more than the most any of them takes, so sharp pixels pay two reads, not four).
    int reads = d.x > 0.0 ? 4 : 1;
    vec3 sum = vec3(0.0);
    for (int i = 0; i < reads; ++i) {
        vec2 offset = d * vec2(i == 1 || i == 3 ? -1.0 : 1.0, i >= 2 ? -1.0 : 1.0);
        sum += textureLod(u_color_invd, uv + offset, lod).rgb;
    }
    return sum / float(reads);
}

void main() {
    // This texel stands for a 2x2 block of full-resolution pixels: mip level 1's texel.
    vec2 position = 2.0 * floor(gl_FragCoord.xy) + 1.0;
    ivec2 texel = min(ivec2(gl_FragCoord.xy), textureSize(u_color_invd, 1) - 1);
    float radius = abs(coc_radius_at(inverse_depth_of(texelFetch(u_color_invd, texel, 1))));
    float t = wide_share(radius);
    // Wholly blurred pixels need no small blur: masked off, its loop turns once.
    vec3 small = t < 1.0 ? small_blur(position, radius) : vec3(0.0);
    vec4 wide = upsample_far(position);
    out_far = vec4(wide.a > 0.0 ? mix(small, wide.rgb, t) : small, 1.0);
}
#endif
