#version 330 core
// The quality benchmark's baseline: a plain single-layer gather. Each pixel averages a
// disc of its own CoC, with no near/far separation, no scatter weights and no occlusion
// (what a naive depth-of-field shader does). Not used for display; it measures what the
// real gather's layers and weights buy.
#include "common/fullscreen.glsl"
#include "common/constants.glsl"

#if defined FRAGMENT_SHADER
#include "common/thin_lens.glsl"
uniform sampler2D u_color_invd;  // mipmapped
uniform int u_max_rings;
// The final gather's ring spacing and mip bias (RING_SPACING_PX, MIP_LOD_BIAS in
// dofviewer/render/gl/dof.py), so the comparison differs only in what the layers add.
uniform float u_ring_spacing;  // preferred distance between rings, px
uniform float u_lod_bias;      // read mips this many levels finer than the ring spacing
layout(location = 0) out vec4 out_color;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec4 centre = texelFetch(u_color_invd, pixel, 0);
    float radius = abs(coc_radius_at(inverse_depth_of(centre)));
    if (radius < 0.5) {
        out_color = vec4(centre.rgb, 1.0);
        return;
    }
    vec2 inverse_size = 1.0 / vec2(textureSize(u_color_invd, 0));
    int rings = clamp(int(ceil(radius / u_ring_spacing)), 1, u_max_rings);
    float dr = radius / float(rings);
    float lod = max(log2(dr) - u_lod_bias, 0.0);
    vec3 sum = centre.rgb;
    float count = 1.0;
    for (int ring = 1; ring <= rings; ++ring) {
        int n = 8 * ring;
        for (int i = 0; i < n; ++i) {
            float angle = TWO_PI * (float(i) + 0.5 * float(ring & 1)) / float(n);
            vec2 uv = (gl_FragCoord.xy + float(ring) * dr * vec2(cos(angle), sin(angle))) * inverse_size;
            sum += textureLod(u_color_invd, uv, lod).rgb;
            count += 1.0;
        }
    }
    out_color = vec4(sum / count, 1.0);
}
#endif
