#version 330 core
// Resolves the supersampled scene pass (u_scale x u_scale samples per pixel) to the
// frame's size. Colour is the box average: antialiased edges. Depth and object id are
// the nearest sample's, so a pixel on a silhouette takes the CoC of the surface in front
// (an in-focus subject keeps its antialiased edge over a blurred background) and a click
// there picks the front object.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_color;
uniform sampler2D u_depth;
uniform usampler2D u_ids;
uniform int u_scale;
layout(location = 0) out vec4 out_color;
layout(location = 1) out float out_depth;   // window z, as in the depth buffer
layout(location = 2) out uint out_object_id;

void main() {
    ivec2 base = ivec2(gl_FragCoord.xy) * u_scale;
    vec3 sum = vec3(0.0);
    float nearest = 2.0;
    uint id = 0u;
    for (int y = 0; y < u_scale; ++y) {
        for (int x = 0; x < u_scale; ++x) {
            ivec2 p = base + ivec2(x, y);
            sum += texelFetch(u_color, p, 0).rgb;
            float z = texelFetch(u_depth, p, 0).r;
            if (z < nearest) {
                nearest = z;
                id = texelFetch(u_ids, p, 0).r;
            }
        }
    }
    out_color = vec4(sum / float(u_scale * u_scale), 1.0);
    out_depth = nearest;
    out_object_id = id;
}
#endif
