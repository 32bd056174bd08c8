#version 330 core
// The tiles pass, once per view: the largest and smallest inverse depth in each
// u_tile_size x u_tile_size block. Every frame, the dilate pass turns them into the
// block's nearest and farthest CoC for the current focus (the CoC falls as 1/depth
// rises), and the gather sizes its kernel from those.
#include "common/fullscreen.glsl"
#include "common/inverse_depth.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_color_invd;
// px per tile side, >= 1: TILE_SIZE_PX (dofviewer/render/gl/targets.py), which also sizes the
// tiles texture; the dilate pass and the gather must be given the same.
uniform int u_tile_size;
layout(location = 0) out vec2 out_max_min;

void main() {
    ivec2 size = textureSize(u_color_invd, 0);
    ivec2 origin = ivec2(gl_FragCoord.xy) * u_tile_size;
    ivec2 stop = min(origin + ivec2(u_tile_size), size);
    float nearest = 0.0, farthest = 1e9;
    for (int y = origin.y; y < stop.y; ++y) {
        for (int x = origin.x; x < stop.x; ++x) {
            float inverse_depth = inverse_depth_of(texelFetch(u_color_invd, ivec2(x, y), 0));
            nearest = max(nearest, inverse_depth);
            farthest = min(farthest, inverse_depth);
        }
    }
    out_max_min = vec2(nearest, farthest);
}
#endif
