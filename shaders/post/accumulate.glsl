#version 330 core
// Adds one weighted sample image into the accumulation buffer (additive blending):
// the accumulation reference averages many pinhole renders in linear HDR.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_source;
uniform float u_weight;
uniform int u_scale;   // the scene pass's supersampling: average each block
layout(location = 0) out vec4 out_color;
void main() {
    ivec2 base = ivec2(gl_FragCoord.xy) * u_scale;
    vec3 sum = vec3(0.0);
    for (int y = 0; y < u_scale; ++y)
        for (int x = 0; x < u_scale; ++x)
            sum += texelFetch(u_source, base + ivec2(x, y), 0).rgb;
    out_color = vec4(sum * u_weight / float(u_scale * u_scale), 1.0);
}
#endif
