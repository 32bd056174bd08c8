#version 330 core
// Pass 2: the nearest (most negative) and farthest CoC radius in each TILE x TILE block.
// The gather sizes its kernel from these, so in-focus tiles cost almost nothing.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_color_coc;
uniform int u_tile_size;
layout(location = 0) out vec2 out_min_max;

void main() {
    ivec2 size = textureSize(u_color_coc, 0);
    ivec2 origin = ivec2(gl_FragCoord.xy) * u_tile_size;
    ivec2 stop = min(origin + ivec2(u_tile_size), size);
    float lo = 1e9, hi = -1e9;
    for (int y = origin.y; y < stop.y; ++y) {
        for (int x = origin.x; x < stop.x; ++x) {
            float coc = texelFetch(u_color_coc, ivec2(x, y), 0).a;
            lo = min(lo, coc);
            hi = max(hi, coc);
        }
    }
    out_min_max = vec2(lo, hi);
}
#endif
