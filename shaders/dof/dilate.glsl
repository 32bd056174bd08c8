#version 330 core
// Pass 3: spread the near-field CoC to neighbouring tiles. A blurred foreground bleeds
// over whatever lies behind it, up to its own radius, so a tile must know about any
// near pixel within MAX_COC_RADIUS of it: that is u_reach tiles (TILE * reach >= max CoC).
// The far field needs no dilation: a background pixel never spreads further than the
// CoC of the pixel it lands on (it would be hidden by a nearer surface).
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_tiles;
uniform int u_reach;
uniform int u_tile_size;
layout(location = 0) out vec2 out_min_max;

void main() {
    ivec2 tile = ivec2(gl_FragCoord.xy);
    ivec2 last = textureSize(u_tiles, 0) - 1;
    vec2 here = texelFetch(u_tiles, tile, 0).xy;
    float nearest = here.x;
    for (int dy = -u_reach; dy <= u_reach; ++dy) {
        for (int dx = -u_reach; dx <= u_reach; ++dx) {
            float coc = texelFetch(u_tiles, clamp(tile + ivec2(dx, dy), ivec2(0), last), 0).x;
            // Only a blur wide enough to cross the tiles in between reaches this one.
            float gap = float(max(abs(dx), abs(dy)) - 1) * float(u_tile_size);
            if (-coc > gap) nearest = min(nearest, coc);
        }
    }
    out_min_max = vec2(nearest, here.y);
}
#endif
