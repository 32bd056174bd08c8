#version 330 core
// Resolves the antialiased scene pass to the frame's size: u_scale x u_scale scene pixels
// per frame pixel (supersampling), each of MULTISAMPLE samples (MSAA). Colour is the mean:
// antialiased edges. Depth and object id are the nearest sample's, so a pixel on a
// silhouette takes the CoC of the surface in front (an in-focus subject keeps its
// antialiased edge over a blurred background) and a click there picks the front object.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
#if defined MULTISAMPLE
uniform sampler2DMS u_color;
uniform sampler2DMS u_depth;
uniform usampler2DMS u_ids;
const int SAMPLES = MULTISAMPLE;
#else
uniform sampler2D u_color;
uniform sampler2D u_depth;
uniform usampler2D u_ids;
const int SAMPLES = 1;
#endif
uniform int u_scale;   // supersampling: u_scale x u_scale scene pixels per frame pixel
layout(location = 0) out vec4 out_color;
layout(location = 1) out float out_depth;   // window z, as in the depth buffer
layout(location = 2) out uint out_object_id;

void main() {
    vec3 sum = vec3(0.0);
    float nearest = 2.0;
    uint id = 0u;
    int count = u_scale * u_scale * SAMPLES;
    for (int i = 0; i < count; ++i) {
        int block = i / SAMPLES;
        ivec2 p = ivec2(gl_FragCoord.xy) * u_scale + ivec2(block % u_scale, block / u_scale);
        int s = i % SAMPLES;   // the sample, or (not multisampled) texelFetch's level 0
        sum += texelFetch(u_color, p, s).rgb;
        float z = texelFetch(u_depth, p, s).r;
        if (z < nearest) {
            nearest = z;
            id = texelFetch(u_ids, p, s).r;
        }
    }
    out_color = vec4(sum / float(count), 1.0);
    out_depth = nearest;
    out_object_id = id;
}
#endif
