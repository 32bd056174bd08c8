#version 330 core
// The dilate pass, every frame: each tile's nearest and farthest CoC for the current
// focus (from its inverse-depth range, from the tiles pass), with the near-field CoC
// spread to neighbouring tiles. A blurred foreground bleeds over whatever lies behind
// it, up to its own radius, so a tile must know about any near pixel within
// u_max_coc_radius of it. The rule: u_tile_size * u_reach >= u_max_coc_radius
// (near_dilation_tiles() in dofviewer/render/gl/dof.py is derived from max_coc_radius_px() and
// TILE_SIZE_PX to keep it). The far field needs no dilation: a background pixel never
// spreads further than the CoC of the pixel it lands on (a nearer surface hides it).
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
#include "common/thin_lens.glsl"
uniform sampler2D u_tiles;  // (largest, smallest) inverse depth per tile
uniform int u_reach;      // tiles a near blur can cross, >= 1 (near_dilation_tiles())
uniform int u_tile_size;  // px per tile side: TILE_SIZE_PX, as the tiles pass used
layout(location = 0) out vec2 out_min_max;

void main() {
    ivec2 tile = ivec2(gl_FragCoord.xy);
    ivec2 last = textureSize(u_tiles, 0) - 1;
    vec2 inverse_depth = texelFetch(u_tiles, tile, 0).xy;
    float nearest = coc_radius_at(inverse_depth.x);
    float farthest = coc_radius_at(inverse_depth.y);
    for (int dy = -u_reach; dy <= u_reach; ++dy) {
        for (int dx = -u_reach; dx <= u_reach; ++dx) {
            ivec2 other = clamp(tile + ivec2(dx, dy), ivec2(0), last);
            float coc = coc_radius_at(texelFetch(u_tiles, other, 0).x);
            // Only a blur wide enough to cross the tiles in between reaches this one.
            float gap = float(max(abs(dx), abs(dy)) - 1) * float(u_tile_size);
            if (-coc > gap) nearest = min(nearest, coc);
        }
    }
    out_min_max = vec2(nearest, farthest);
}
#endif
